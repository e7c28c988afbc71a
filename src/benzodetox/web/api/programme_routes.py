"""Programme resources (placeholder until the routes land)."""

from ninja import Router

router = Router(tags=["programme"])
