"""Routes marked ``@limiter.exempt`` are never limited (the limiter skips them outright), while the
default limit and a route's own limit still hold on every other route of the same app."""
from ragem import toolkit
from ragem.toolkit import hookimpl


class Machines:
    """A plugin with an exempt write route, a default-limited one and one with its own limit."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="mesin", name={"id": "Mesin", "en": "Machines"},
            description={"id": "Panggilan antarmesin.", "en": "Machine-to-machine calls."},
            opd="DISKOMINFO", version="0.0.1",
        )

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("mesin", __name__)

        @blp.route("/exempt", methods=["POST"])
        @toolkit.limiter.exempt
        def exempt():
            """One address for many callers."""
            return {"ok": True}

        @blp.route("/limited", methods=["POST"])
        def limited():
            """Under the default limit."""
            return {"ok": True}

        @blp.route("/own", methods=["GET"])
        @toolkit.limiter.limit("2 per minute")
        def own():
            """A read with a limit of its own."""
            return {"ok": True}

        return [blp]


def test_exempt_routes_are_never_limited_and_the_others_still_are(make_app):
    app = make_app(extra_plugins=[("mesin", Machines())], RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert [client.post("/api/v1/mesin/exempt").status_code for _ in range(8)] == [200] * 8
    assert [client.post("/api/v1/mesin/limited").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [client.get("/api/v1/mesin/own").status_code for _ in range(3)] == [200, 200, 429]
    assert client.post("/api/v1/mesin/exempt").status_code == 200  # after the others hit their limits
