"""Operations for the monitoring steps (filled in by the next slice)."""
