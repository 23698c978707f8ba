"""The fast bulk writes, kept under their old name for the generators (see dudao.core.bulk)."""

from dudao.core.bulk import BATCH, columns, fast_insert, fast_update

__all__ = ["BATCH", "columns", "fast_insert", "fast_update"]
