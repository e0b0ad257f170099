"""GET /api/openapi.json: the API's OpenAPI 3.1 document (relay_app/openapi), for tools and people."""

from __future__ import annotations

from ..context import RelayContext
from ..openapi import document


class OpenApiDocument:
    action = "public"  # the contract is public: API.md is the same document in prose

    def __init__(self, ctx: RelayContext):
        self.document = document()

    def on_get(self, req, resp) -> None:
        resp.media = self.document
        # It changes only with the relay's version, so a tool may keep it a while (unlike every other answer).
        resp.set_header("Cache-Control", "public, max-age=300")


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/openapi.json", OpenApiDocument(ctx))
