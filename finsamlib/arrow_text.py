"""The bytes of a column of text cells, read straight from its Arrow buffers with numpy.

The loader checks every cell of a million-row file (numbers, dates, personnummer); doing that
per cell in Python, or with a regex per cell, costs several times the read itself. These
helpers give the UTF-8 bytes and cell boundaries of a text column as numpy arrays, and, when
every cell has the same length (dates, identifiers, codes of fixed width), the cells as the
rows of a byte matrix without copying.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class TextBytes:
    """A text column's cells as UTF-8 bytes: ``data[offsets[i]:offsets[i + 1]]`` is cell i.

    ``valid`` is False for a missing cell (which has no bytes); ``array`` is the Arrow
    ``large_string`` array the buffers belong to.
    """

    array: pa.LargeStringArray
    offsets: np.ndarray  # int64, len n + 1, relative to the start of ``data``
    data: np.ndarray  # uint8
    valid: np.ndarray  # bool, len n
    lengths: np.ndarray  # bytes per cell (0 for an empty or missing cell)

    def fixed_width(self) -> np.ndarray | None:
        """The cells as rows of an (n, width) byte matrix (a view) when every cell is present
        and has the same length; else None."""
        n = len(self.valid)
        if n == 0 or not self.valid.all():
            return None
        width = int(self.offsets[-1]) // n
        if width == 0 or int(self.offsets[-1]) != width * n:
            return None
        if not (self.lengths == width).all():
            return None
        return self.data.reshape(n, width)


def text_bytes(values: pd.Series | pa.Array | pa.ChunkedArray) -> TextBytes:
    """The bytes of ``values`` (a text Series or Arrow array), without copying where Arrow
    already holds them as one ``large_string`` chunk."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    n = len(arr)
    _, offsets_buf, data_buf = arr.buffers()
    if n == 0:
        empty = np.zeros(0, dtype=bool)
        none = np.zeros(0, np.int64)
        return TextBytes(arr, np.zeros(1, np.int64), np.zeros(0, np.uint8), empty, none)
    offsets = np.frombuffer(offsets_buf, np.int64, n + 1, arr.offset * 8)
    first, last = int(offsets[0]), int(offsets[-1])
    data = (
        np.frombuffer(data_buf, np.uint8, last - first, first)
        if data_buf is not None and last > first
        else np.zeros(0, np.uint8)
    )
    valid = arr.is_valid().to_numpy(zero_copy_only=False) if arr.null_count else np.ones(n, bool)
    return TextBytes(arr, offsets - first if first else offsets, data, valid, np.diff(offsets))


#: Widest fixed-width column that :func:`text_words` reads as two 64-bit words per cell.
WORDS_WIDTH_MAX = 16


def text_words(values: pd.Series) -> np.ndarray | None:
    """A text column of one width up to 16 bytes (identifiers, dates) as two 64-bit words per
    cell, shape (n, 2): equal cells, equal words. None for any other column."""
    matrix = text_bytes(values).fixed_width()
    if matrix is None or matrix.shape[1] > WORDS_WIDTH_MAX:
        return None
    padded = np.zeros((matrix.shape[0], WORDS_WIDTH_MAX), dtype=np.uint8)
    padded[:, : matrix.shape[1]] = matrix
    return padded.view(np.uint64)


def distinct_text(values: pd.Series) -> pd.Series:
    """The distinct non-missing cells of a text Series, in order of first appearance; a
    column of one width up to 16 bytes by its words (:func:`text_words`), without hashing
    the strings."""
    words = text_words(values)
    if words is None:
        return pd.Series(pd.unique(values.dropna()), dtype=values.dtype)
    codes = pd.factorize(words[:, 0])[0]
    if words[:, 1].any():
        high, distinct = pd.factorize(words[:, 1])
        codes = pd.factorize(codes * len(distinct) + high)[0]
    # factorize numbers codes by first appearance: the running maximum rises at each first
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    return values.iloc[first].reset_index(drop=True)
