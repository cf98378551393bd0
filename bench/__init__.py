"""Benchmarks: each module has `main()` and runs alone with `python -m bench.<name>`; `make bench` runs all."""
