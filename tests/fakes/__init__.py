"""Small fake servers standing in for the channel APIs in tests (loopback only)."""
