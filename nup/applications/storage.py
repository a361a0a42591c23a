"""Uploaded documents: checked by content, stored outside the web root under random names."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# What a scanned certificate or a plan comes as, by its first bytes (not its name).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
)
CHUNK = 1024 * 1024


class UnsupportedFile(Exception):
    """The content is not a PDF, JPEG, PNG or TIFF (whatever the file is called)."""


class FileTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class EmptyFile(Exception):
    pass


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str
    filename: str


def detect_type(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) that the first bytes reveal, if we accept it."""
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def safe_filename(name: str, extension: str) -> str:
    """A display name without paths or control characters, ending in the detected extension."""
    base = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*').strip(". ")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:150] or "document") + extension


def store(stream: BinaryIO, *, folder: Path, original_name: str, max_bytes: int) -> StoredFile:
    """Copy an upload into `folder` under a random name, checking type and size as it goes.

    Nothing is left behind when the file is refused.
    """
    head = stream.read(16)
    if not head:
        raise EmptyFile()
    detected = detect_type(head)
    if detected is None:
        raise UnsupportedFile()
    content_type, extension = detected
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    temporary = folder / f".{stored_name}.part"
    digest, size = hashlib.sha256(head), len(head)
    try:
        with temporary.open("wb") as out:
            out.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
        temporary.rename(folder / stored_name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, content_type, size, digest.hexdigest(), safe_filename(original_name, extension))


def path_of(folder: Path, stored_name: str) -> Path:
    return folder / stored_name


def remove(path: Path) -> None:
    """Delete a stored file (after the commit that dropped its row, or a rollback of its row)."""
    path.unlink(missing_ok=True)
