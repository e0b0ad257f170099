"""The phone web app: files under `web/`, nothing outside it, `/` -> index.html."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

import falcon

from ..errors import Forbidden, MethodNotAllowed, NotFound

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


class StaticFiles:
    """A sink for every non-API path."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def __call__(self, req: falcon.Request, resp: falcon.Response, **_) -> None:
        if req.method not in ("GET", "HEAD"):
            raise MethodNotAllowed("method-not-allowed")
        target = self.resolve(req.path)
        resp.content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        resp.cache_control = ["no-store"] if target.suffix == ".html" else ["public", "max-age=300"]
        data = target.read_bytes()
        resp.data = data if req.method == "GET" else b""
        resp.content_length = len(data)

    def resolve(self, path: str) -> Path:
        relative = unquote(path).lstrip("/") or "index.html"  # decode again: %252e%252e stays suspicious
        parts = relative.split("/")
        if any(part in ("..", ".") or "\\" in part or "\x00" in part for part in parts) or relative.startswith("/"):
            raise Forbidden("forbidden")
        candidate = self.root.joinpath(*[p for p in parts if p])
        try:
            real = candidate.resolve(strict=True)
        except (FileNotFoundError, NotADirectoryError, OSError):
            raise NotFound("not-found") from None
        if not real.is_relative_to(self.root):  # a symlink pointing out of the web folder
            raise Forbidden("forbidden")
        if real.is_dir():
            real = real / "index.html"
            if not real.is_file():
                raise NotFound("not-found")
        if real.suffix == ".py" or "__pycache__" in real.parts:
            raise NotFound("not-found")  # the package's own files are not web assets
        return real


def api_not_found(req: falcon.Request, resp: falcon.Response, **_) -> None:
    """Unknown `/api/` paths answer JSON, never the web app."""
    raise NotFound("not-found")
