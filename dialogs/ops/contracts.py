"""Operations for the contracts steps (filled in by the next slice)."""
