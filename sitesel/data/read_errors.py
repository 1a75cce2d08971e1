"""One place where a layer's reader failing becomes one line naming the layer and the file.

Readers fail in their own ways: zipfile and zlib on a damaged archive, pyogrio (GDAL) on a
shapefile, GeoPackage or GeoJSON it cannot parse, pandas on a CSV in another encoding,
rasterio on a truncated GeoTIFF or DTED tile, pyarrow on a damaged Parquet file. Each of
those is the data's fault, and becomes a :class:`~sitesel.errors.LayerError` (exit 2)
naming the layer, the file and the cause. Any other exception is a bug in sitesel and is
left alone, so it still shows with its traceback under ``-v`` (exit 1).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyogrio.errors
import rasterio.errors

from sitesel.errors import LayerError, SiteselError

READER_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    UnicodeDecodeError,
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    rasterio.errors.RasterioError,
)
"""What a damaged or foreign file makes a reader raise (pyarrow's are added when loaded)."""

try:  # pyarrow reads GeoParquet; its errors are the data's fault too
    import pyarrow

    READER_ERRORS += (pyarrow.ArrowInvalid, pyarrow.ArrowIOError)
except ImportError:  # pragma: no cover - pyarrow is a dependency
    pass


def cause(exc: BaseException) -> str:
    """The reader's own words for what is wrong, on one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start}); save it as UTF-8"
    if isinstance(exc, zlib.error | zipfile.BadZipFile | EOFError):
        return f"the archive is damaged ({text})"
    return text


@contextmanager
def reading(layer: str, path: Path | str) -> Iterator[None]:
    """Turn a reader's failure inside the block into one line naming the layer and file.

    >>> import zlib
    >>> try:
    ...     with reading("roads", "roads.zip"):
    ...         raise zlib.error("Error -3 while decompressing data")
    ... except LayerError as exc:
    ...     print(str(exc)[:78])
    layer 'roads': cannot read roads.zip: the archive is damaged (Error -3 while d
    """
    try:
        yield
    except SiteselError:
        raise
    except READER_ERRORS as exc:
        raise LayerError(
            f"layer {layer!r}: cannot read {path}: {cause(exc)}; download it again or"
            " restore it from its source"
        ) from None
