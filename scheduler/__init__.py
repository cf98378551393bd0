"""The scheduler: what is due when (a pure function), and delivering it exactly once through the notifiers."""
