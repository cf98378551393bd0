"""Operations for the policy steps (filled in by the next slice)."""
