"""The toolkit is the whole surface a plugin sees: every public name listed, a typed account, settings."""
from __future__ import annotations

import types

import pytest
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ragem import toolkit
from ragem.toolkit import hookimpl


def _info(slug: str) -> toolkit.PluginInfo:
    return toolkit.PluginInfo(slug=slug, name={"id": "Uji", "en": "Probe"}, description={"id": "Uji.", "en": "Probe."},
                              opd="DISKOMINFO", version="1")


def test_all_lists_every_public_name_and_nothing_else():
    public = {
        name for name, value in vars(toolkit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert set(toolkit.__all__) == public, (sorted(public - set(toolkit.__all__)), sorted(set(toolkit.__all__) - public))
    assert len(toolkit.__all__) == len(set(toolkit.__all__))


# --- The account a plugin sees -----------------------------------------------------------------

class WhoAmI:
    """A throwaway service answering what it can see of the caller."""

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzwhoami")

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("zzwhoami_api", __name__)

        @blp.route("/me")
        @toolkit.login_required
        def me():
            user = toolkit.current_user()
            return {"is_account": isinstance(user, toolkit.Account), "role": user.primary_role,
                    "officer": user.has_role("officer"), "opd": user.opd_code, "id": user.id}

        return [blp]


def test_the_caller_is_an_account_with_the_documented_attributes(make_app, login_as):
    app = make_app(extra_plugins=[("zzwhoami", WhoAmI())])
    headers = login_as("officer", opd="DLH", target_app=app)
    answer = app.test_client().get("/api/v1/zzwhoami/me", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"is_account": True, "role": "officer", "officer": True, "opd": "DLH",
                                 "id": headers["X-Test-User-Id"]}


def test_the_anonymous_citizen_is_an_account_without_an_id():
    anonymous = toolkit.ANONYMOUS_CITIZEN
    assert isinstance(anonymous, toolkit.Account)
    assert anonymous.id is None and anonymous.primary_role == "citizen" and anonymous.has_role("citizen")
    assert not anonymous.has_role("admin")


def test_an_audit_entry_by_the_anonymous_citizen_names_no_account(app):
    from ragem.audit.models import AuditEntry

    with app.test_request_context():
        entry = toolkit.audit("zz.filed", "zz_thing", "1", actor=toolkit.ANONYMOUS_CITIZEN)
        toolkit.db.session.commit()
        stored = toolkit.db.session.get(AuditEntry, entry.id)
        assert stored.actor_id is None and stored.actor_role == "citizen"


# --- A plugin's own settings ---------------------------------------------------------------------

LIMIT = toolkit.PluginSetting("ZZSET_LIMIT", parse=toolkit.positive_int, default=7, help="how many")
TAGS = toolkit.PluginSetting("ZZSET_TAGS", parse=toolkit.text_list, default=["a"])
STRICT = toolkit.PluginSetting("ZZSET_STRICT", parse=toolkit.boolean, default=False)


class Configured:
    """A throwaway service with settings, checked at start-up and read in a route."""

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzset")

    @hookimpl
    def ragem_config_check(self, settings):
        return LIMIT.problems(settings) + TAGS.problems(settings) + STRICT.problems(settings)

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("zzset_api", __name__)

        @blp.route("/settings")
        def current():
            return {"limit": LIMIT.value(), "tags": TAGS.value(), "strict": STRICT.value()}

        return [blp]


def _settings_of(app):
    answer = app.test_client().get("/api/v1/zzset/settings")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _record(app, slug):
    return next(r for r in app.extensions["ragem.plugins"].records.values() if r.info and r.info.slug == slug)


def test_settings_have_defaults_and_parse_what_the_operator_set(make_app):
    assert _settings_of(make_app(extra_plugins=[("zzset", Configured())])) == {"limit": 7, "tags": ["a"], "strict": False}
    chosen = make_app(extra_plugins=[("zzset", Configured())], ZZSET_LIMIT="12", ZZSET_TAGS="x, y,", ZZSET_STRICT="yes")
    assert _settings_of(chosen) == {"limit": 12, "tags": ["x", "y"], "strict": True}


def test_settings_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("RAGEM_ZZSET_LIMIT", "3")
    assert _settings_of(make_app(extra_plugins=[("zzset", Configured())]))["limit"] == 3


def test_two_apps_keep_their_own_values(make_app):
    one = make_app(extra_plugins=[("zzset", Configured())], ZZSET_LIMIT="1")
    two = make_app(extra_plugins=[("zzset", Configured())], ZZSET_LIMIT="2")
    assert (_settings_of(one)["limit"], _settings_of(two)["limit"], _settings_of(one)["limit"]) == (1, 2, 1)


def test_a_bad_value_stops_the_plugin_with_the_variable_named_and_the_rest_serves(make_app):
    app = make_app(extra_plugins=[("zzset", Configured())], ZZSET_LIMIT="nol", ZZSET_STRICT="mungkin")
    record = _record(app, "zzset")
    assert record.status == "failed"
    assert "RAGEM_ZZSET_LIMIT" in record.reason and "RAGEM_ZZSET_STRICT" in record.reason
    assert app.test_client().get("/api/v1/zzset/settings").status_code == 404
    assert app.test_client().get("/api/v1/services").status_code == 200


def test_outside_an_app_a_setting_is_its_default():
    assert LIMIT.value() == 7


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATA_KEY", "DATABASE_URL", "RAGEM_ZZ_X", "zz_lower", ""])
def test_a_plugin_cannot_declare_a_core_setting_or_a_malformed_name(name):
    with pytest.raises(ValueError):
        toolkit.PluginSetting(name)


def test_an_empty_value_can_mean_empty_rather_than_the_default():
    keep_empty = toolkit.PluginSetting("ZZSET_DAYS", parse=toolkit.text_list, default=["x"], empty_means_default=False)
    assert keep_empty.read({"ZZSET_DAYS": ""}) == [] and keep_empty.read({}) == ["x"]
    assert TAGS.read({"ZZSET_TAGS": " "}) == ["a"]


# --- Phone numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["0812-3456-7890", "62 812 3456 7890", "+62 (812) 3456 7890", "812.3456.7890",
                                   "+6281234567890"])
def test_a_phone_number_in_any_common_notation_is_one_e164_string(typed):
    assert toolkit.normalise_phone(typed) == "+6281234567890"
    assert toolkit.mask_phone(toolkit.normalise_phone(typed)) == "+62812*****890"


@pytest.mark.parametrize("typed", ["12345", "+1 202 555 0100", "0254 123456", "", "08xx"])
def test_a_number_that_is_no_indonesian_mobile_is_refused_naming_the_field(typed):
    with pytest.raises(toolkit.ValidationError) as refused:
        toolkit.normalise_phone(typed, field="caller_number")
    assert refused.value.code == "invalid_phone" and "caller_number" in refused.value.details


@pytest.mark.parametrize("typed,e164", [
    ("0254-200112", "+62254200112"), ("(0254) 200112", "+62254200112"), ("+62 254 200112", "+62254200112"),
    ("62 254 200112", "+62254200112"), ("021-5551234", "+62215551234"),
    ("0812-3456-7890", "+6281234567890"), ("812 3456 7890", "+6281234567890"), ("+62 (812) 3456 7890", "+6281234567890"),
])
def test_with_landline_a_fixed_line_in_any_common_notation_is_one_e164_string(typed, e164):
    assert toolkit.normalise_phone(typed, landline=True) == e164


@pytest.mark.parametrize("typed", ["12345", "+1 202 555 0100", "0800-1-112112", "+62 254 200112 ext 5", "", "08xx",
                                   "0254", "1" * 60, None])
def test_with_landline_a_number_no_one_calls_from_is_refused_naming_the_field(typed):
    with pytest.raises(toolkit.ValidationError) as refused:
        toolkit.normalise_phone(typed, field="caller_number", landline=True)
    assert refused.value.code == "invalid_phone" and "caller_number" in refused.value.details


# --- Every service's KPIs, for a plugin that republishes them ----------------------------------

class Counting:
    """A throwaway service with one KPI, and one that fails."""

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzkpi")

    @hookimpl
    def ragem_kpis(self, period):
        return [toolkit.KpiValue("zzkpi.visits", {"id": "Kunjungan", "en": "Visits"}, 12.0 if period.kind == "month" else None,
                                 unit="kali", cumulative=True)]


class Failing:
    """A service whose KPI hook raises: skipped, never fatal to the others."""

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzbroken")

    @hookimpl
    def ragem_kpis(self, period):
        raise RuntimeError("database down")


def test_a_plugin_collects_every_services_kpis_for_a_period(make_app):
    app = make_app(extra_plugins=[("zzkpi", Counting()), ("zzbroken", Failing())], entry_points=False)
    with app.app_context():
        month = toolkit.parse_period("2026-11")
        # Midnight WIB on 1 November and 1 December, in UTC; the WIB days beside them.
        assert (month.kind, month.start.isoformat(), month.end.isoformat()) == ("month", "2026-10-31T17:00:00",
                                                                                "2026-11-30T17:00:00")
        assert (month.first_day.isoformat(), month.end_day.isoformat()) == ("2026-11-01", "2026-12-01")
        collected = toolkit.collect_kpis(month)
        assert ("zzkpi", toolkit.KpiValue("zzkpi.visits", {"id": "Kunjungan", "en": "Visits"}, 12.0, unit="kali",
                                          cumulative=True)) in collected
        assert {slug for slug, _ in collected} == {"core", "zzkpi"}
        assert [kpi.value for slug, kpi in toolkit.collect_kpis(toolkit.parse_period("2026")) if slug == "zzkpi"] == [None]
        with pytest.raises(toolkit.ValidationError):
            toolkit.parse_period("2026-13")


# --- Personal data at rest -----------------------------------------------------------------------

class _SealedBase(DeclarativeBase):
    """A registry of its own, so this throwaway table never joins the app's models or migrations."""


class CallBack(_SealedBase):
    """A plugin table keeping a caller's number (looked up) and name (only read back)."""

    __tablename__ = "zzseal_call_back"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    msisdn_hash: Mapped[str | None] = mapped_column(String(64))
    msisdn_ciphertext: Mapped[str | None] = mapped_column(Text)
    msisdn = toolkit.sealed("msisdn", lookup=toolkit.lookup_hash)
    name_ciphertext: Mapped[str | None] = mapped_column(Text)
    name = toolkit.sealed("name")


def test_a_sealed_plugin_attribute_round_trips_and_its_row_holds_no_clear_text(app):
    from ragem.auth.models import User  # the core's own phone column, for the one-number-one-hash check
    from ragem.testing import stored_text_containing

    with app.app_context():
        _SealedBase.metadata.create_all(toolkit.db.engine)
        try:
            toolkit.db.session.add(CallBack(id=1, msisdn="+6281234567890", name="Siti Rahmawati"))
            toolkit.db.session.commit()
            toolkit.db.session.expunge_all()

            found = toolkit.db.session.scalars(select(CallBack).where(CallBack.msisdn == "+6281234567890")).one()
            assert (found.msisdn, found.name) == ("+6281234567890", "Siti Rahmawati")
            assert toolkit.db.session.scalar(select(CallBack).where(CallBack.msisdn == "+6281200000000")) is None
            assert stored_text_containing("+6281234567890", "81234567890", "Siti Rahmawati", "Rahmawati") == []
            # One number, one hash: the plugin's column and the core's account phone compare the same value.
            assert found.msisdn_hash == toolkit.lookup_hash("+6281234567890") == (User.phone == "+6281234567890").right.value
            assert toolkit.unseal(found.name_ciphertext) == "Siti Rahmawati"
            with pytest.raises(TypeError, match="cannot be queried"):
                CallBack.name == "Siti Rahmawati"  # noqa: B015 - no look-up hash: the comparison itself raises
        finally:
            toolkit.db.session.rollback()
            _SealedBase.metadata.drop_all(toolkit.db.engine)


def test_seal_and_unseal_are_inverse_and_a_changed_token_is_refused(app):
    with app.app_context():
        token = toolkit.seal("Budi Santoso")
        assert "Budi" not in token and toolkit.seal("Budi Santoso") != token  # a fresh nonce every time
        assert toolkit.unseal(token) == "Budi Santoso"
        with pytest.raises(ValueError):
            toolkit.unseal(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))


# --- The citizens of an area ---------------------------------------------------------------------

def test_account_ids_in_kelurahan_finds_the_active_citizens_of_those_kelurahan_only(app, client, login_as):
    def citizen_in(kelurahan):
        headers = login_as("citizen")
        if kelurahan:
            assert client.patch("/api/v1/me", headers=headers, json={"kelurahan": kelurahan}).status_code == 200
        return headers["X-Test-User-Id"]

    cipare, serang = citizen_in("36.73.01.1002"), citizen_in("36.73.01.1001")
    citizen_in("36.73.06.1001")
    citizen_in(None)
    with app.app_context():
        assert set(toolkit.account_ids_in_kelurahan(["36.73.01.1002", "36.73.01.1001"])) == {cipare, serang}
        assert toolkit.account_ids_in_kelurahan(["36.73.01.1002", "36.73.01.1002"]) == [cipare]
        assert toolkit.account_ids_in_kelurahan([]) == []


def test_account_is_active_knows_active_accounts_only(app, login_as):
    from ragem.auth.models import User
    from ragem.extensions import db

    active, deactivated = login_as("citizen")["X-Test-User-Id"], login_as("officer")["X-Test-User-Id"]
    with app.app_context():
        db.session.get(User, deactivated).is_active = False
        db.session.commit()
        assert toolkit.account_is_active(active) is True
        assert toolkit.account_is_active(deactivated) is False
        assert not any(toolkit.account_is_active(v) for v in ("nobody", "", None, "x" * 400))


def test_account_id_with_verified_phone_names_only_a_verified_active_account(app, login_as):
    from ragem.auth.models import User
    from ragem.extensions import db

    verified, pending, gone = (login_as("citizen")["X-Test-User-Id"] for _ in range(3))
    with app.app_context():
        db.session.get(User, pending).phone_verified_at = None
        db.session.get(User, gone).is_active = False
        db.session.commit()
        phones = {uid: db.session.get(User, uid).phone for uid in (verified, pending, gone)}
        assert toolkit.account_id_with_verified_phone(phones[verified]) == verified
        assert toolkit.account_id_with_verified_phone(phones[pending]) is None
        assert toolkit.account_id_with_verified_phone(phones[gone]) is None
        assert toolkit.account_id_with_verified_phone("+6281100000000") is None
        assert toolkit.account_id_with_verified_phone("") is None


def test_verified_phone_hash_is_the_lookup_hash_of_a_verified_phone_only(app, login_as):
    from ragem.auth.models import User
    from ragem.extensions import db

    verified, pending = (login_as("citizen")["X-Test-User-Id"] for _ in range(2))
    with app.app_context():
        db.session.get(User, pending).phone_verified_at = None
        db.session.commit()
        phone = db.session.get(User, verified).phone
        assert toolkit.verified_phone_hash(verified) == toolkit.lookup_hash(phone)
        assert phone[1:] not in toolkit.verified_phone_hash(verified)
        assert toolkit.verified_phone_hash(pending) is None
        assert toolkit.verified_phone_hash("nobody") is None and toolkit.verified_phone_hash(None) is None


def test_send_text_reaches_a_number_that_belongs_to_no_account(app):
    from ragem.testing import dev_outbox

    with app.app_context():
        toolkit.send_text("+6281234500002", "RAGEM: pengaduan Anda diterima", purpose="zz.test")
        toolkit.db.session.commit()
        [message] = dev_outbox()
        assert (message.channel, message.recipient, message.body, message.purpose, message.user_id) == (
            "sms", "+6281234500002", "RAGEM: pengaduan Anda diterima", "zz.test", None)
        with pytest.raises(ValueError):
            toolkit.send_text("+6281234500003", "", purpose="zz.test")
        with pytest.raises(ValueError):
            toolkit.send_text("+6281234500003", "x", purpose="zz.test", channel="pigeon")


def test_kota_serang_bounds_hold_the_city_and_their_edges_only():
    box = toolkit.KOTA_SERANG_BOUNDS
    assert box.contains(-6.1207, 106.1503)  # Alun-alun Serang
    assert box.contains(box.lat[0], box.lon[1]) and box.contains(box.lat[1], box.lon[0])
    assert not box.contains(-6.2088, 106.8456)  # Jakarta
    assert not box.contains(-6.38, 106.15) and not box.contains(-6.12, 106.43)


# --- Schema helpers every service shares ---------------------------------------------------------

def test_from_model_dumps_a_row_with_computed_fields_keeping_their_type():
    from marshmallow import fields as mm

    class Row:
        code, name_id, name_en = "X1", "Jalan rusak", "Damaged road"

    class RowSchema(toolkit.FromModel, toolkit.BaseSchema):
        computed = {"name": lambda row: {"id": row.name_id, "en": row.name_en}}
        code = mm.String()
        name = mm.Nested(toolkit.I18nTextSchema)

    assert RowSchema().dump(Row()) == {"code": "X1", "name": {"id": "Jalan rusak", "en": "Damaged road"}}


def test_comma_separated_keeps_known_choices_once_and_refuses_the_rest():
    class Args(toolkit.BaseSchema):
        state = toolkit.CommaSeparated(["open", "closed"])

    assert Args().load({"state": "open, closed,,open"}) == {"state": ["open", "closed"]}
    for bad in ("open,lost", " , "):
        with pytest.raises(Exception) as refused:
            Args().load({"state": bad})
        assert "state" in refused.value.messages


# --- Conditional GET -----------------------------------------------------------------------------

class Versioned:
    """A throwaway service with one record whose version and change time a test sets."""

    record = {"version": 1, "changed": None}

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzcond")

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("zzcond_api", __name__)

        @blp.route("/record")
        def get_record():
            cached = toolkit.conditional_get(self.record["version"], last_modified=self.record["changed"],
                                             cache_control="public, max-age=60")
            if cached.not_modified:
                return cached.not_modified
            return {"version": self.record["version"]}, 200, cached.headers

        return [blp]


def test_conditional_get_answers_304_while_the_client_copy_is_current(make_app, login_as):
    from datetime import datetime

    service = Versioned()
    service.record = {"version": 1, "changed": datetime(2026, 11, 30, 3, 0, 0, 123456)}
    app = make_app(extra_plugins=[("zzcond", service)])
    client = app.test_client()
    first = client.get("/api/v1/zzcond/record")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Last-Modified"] == "Mon, 30 Nov 2026 03:00:00 GMT"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/zzcond/record", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    since = client.get("/api/v1/zzcond/record", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    # Another query, another language or another caller is another answer.
    assert client.get("/api/v1/zzcond/record?x=1", headers={"If-None-Match": etag}).status_code == 200
    assert client.get("/api/v1/zzcond/record", headers={"If-None-Match": etag, "Accept-Language": "en"}).status_code == 200
    assert client.get("/api/v1/zzcond/record", headers={"If-None-Match": etag, **login_as("citizen")}).status_code == 200
    # A change: the old validators no longer match; If-None-Match wins over If-Modified-Since.
    service.record = {"version": 2, "changed": datetime(2026, 12, 1)}
    changed = client.get("/api/v1/zzcond/record", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json() == {"version": 2} and changed.headers["ETag"] != etag
    assert client.get("/api/v1/zzcond/record", headers={
        "If-None-Match": etag, "If-Modified-Since": "Tue, 01 Dec 2026 00:00:00 GMT"}).status_code == 200
    assert client.get("/api/v1/zzcond/record", headers={
        "If-Modified-Since": "Tue, 01 Dec 2026 00:00:00 GMT"}).status_code == 304
