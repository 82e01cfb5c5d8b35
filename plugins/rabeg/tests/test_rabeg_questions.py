"""A category's extra questions (Open311 attributes): answers checked by datatype, stored normalised."""
import pytest
from sqlalchemy import func, select

from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.services.questions import check_definitions
from plugins.rabeg.seed import ensure_categories

URL = "/api/v1/rabeg/complaints"

QUESTIONS = [
    {"code": "size", "datatype": "singlevaluelist", "required": True, "order": 1,
     "description": {"id": "Ukuran", "en": "Size"},
     "values": [{"key": "small", "name": {"id": "Kecil", "en": "Small"}},
                {"key": "large", "name": {"id": "Besar", "en": "Large"}}]},
    {"code": "depth_cm", "datatype": "number", "required": False, "order": 2,
     "description": {"id": "Kedalaman", "en": "Depth"}},
    {"code": "since", "datatype": "datetime", "required": False, "order": 3,
     "description": {"id": "Sejak", "en": "Since"}},
    {"code": "hazards", "datatype": "multivaluelist", "required": False, "order": 4,
     "description": {"id": "Bahaya", "en": "Hazards"},
     "values": [{"key": "cars", "name": {"id": "Mobil", "en": "Cars"}},
                {"key": "kids", "name": {"id": "Anak", "en": "Children"}}]},
    {"code": "landmark", "datatype": "string", "required": False, "order": 5,
     "description": {"id": "Patokan", "en": "Landmark"}},
    {"code": "story", "datatype": "text", "required": False, "order": 6,
     "description": {"id": "Cerita", "en": "Story"}},
]


@pytest.fixture
def asks(db_session):
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == "SAMPAH"))
    category.questions = QUESTIONS
    db_session.commit()


def _body(answers):
    return {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": "36.73.01.1001",
            "answers": answers}


def test_answers_are_checked_and_stored_normalised(client, login_as, asks, db_session):
    answers = {"size": "large", "depth_cm": 12.5, "since": "2026-11-27T08:30:00+07:00", "hazards": ["kids", "cars", "kids"],
               "landmark": "  depan masjid ", "story": "Sudah seminggu tidak diangkut."}
    response = client.post(URL, json=_body(answers), headers=login_as("citizen"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["answers"] == {
        "size": "large", "depth_cm": 12.5, "since": "2026-11-27T01:30:00Z", "hazards": ["kids", "cars"],
        "landmark": "depan masjid", "story": "Sudah seminggu tidak diangkut."}
    stored = db_session.scalar(select(Complaint))
    assert stored.answers["since"] == "2026-11-27T01:30:00Z"


@pytest.mark.parametrize("answers, code, reason", [
    ({}, "size", "required"),
    ({"size": None}, "size", "required"),
    ({"size": "huge"}, "size", "one of small, large"),
    ({"size": ["small"]}, "size", "one of"),
    ({"size": "small", "depth_cm": "12"}, "depth_cm", "a number"),
    ({"size": "small", "depth_cm": True}, "depth_cm", "a number"),
    ({"size": "small", "since": "2026-11-27T08:30:00"}, "since", "time zone"),
    ({"size": "small", "since": "yesterday"}, "since", "ISO 8601"),
    ({"size": "small", "hazards": "cars"}, "hazards", "list"),
    ({"size": "small", "hazards": ["cars", "dogs"]}, "hazards", "unknown choices dogs"),
    ({"size": "small", "landmark": "x" * 301}, "landmark", "at most 300"),
    ({"size": "small", "story": "x" * 4001}, "story", "at most 4000"),
    ({"size": "small", "colour": "red"}, "colour", "does not ask"),
])
def test_wrong_answers_are_refused_by_code_and_file_nothing(client, login_as, asks, db_session, answers, code, reason):
    response = client.post(URL, json=_body(answers), headers=login_as("citizen"))
    assert response.status_code == 422, response.get_json()
    details = response.get_json()["error"]["details"]["answers"]
    assert reason in details[code]
    assert db_session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_answers_must_be_an_object(client, login_as, asks):
    response = client.post(URL, json=_body(["small"]), headers=login_as("citizen"))
    assert response.status_code == 422


def test_a_seeded_category_with_a_required_question_needs_its_answer(client, login_as):
    body = {"category": "PJU", "description": "Lampu jalan mati sejak kemarin.", "kelurahan": "36.73.01.1001"}
    citizen = login_as("citizen")
    refused = client.post(URL, json=body, headers=citizen)
    assert refused.status_code == 422 and refused.get_json()["error"]["details"]["answers"] == {"kondisi": "required"}
    filed = client.post(URL, json={**body, "answers": {"kondisi": "mati", "jumlah_lampu": 3}}, headers=citizen)
    assert filed.status_code == 201 and filed.get_json()["answers"] == {"kondisi": "mati", "jumlah_lampu": 3}


@pytest.mark.parametrize("broken, where", [
    ({"code": "bad code"}, "code"),
    ({"datatype": "colour"}, "datatype"),
    ({"required": "yes"}, "required"),
    ({"description": {"id": "Ukuran"}}, "description"),
    ({"order": "1"}, "order"),
    ({"values": []}, "values"),
    ({"values": [{"key": "a", "name": {"id": "A", "en": "A"}}, {"key": "a", "name": {"id": "A", "en": "A"}}]}, "values"),
    ({"values": [{"key": "a"}]}, "values"),
    ({"extra": 1}, "unknown_fields"),
])
def test_broken_definitions_are_refused_with_the_reason(broken, where):
    from ragem import toolkit

    with pytest.raises(toolkit.ValidationError) as caught:
        check_definitions([{**QUESTIONS[0], **broken}])
    assert where in caught.value.details["questions"]["0"]


def test_values_belong_to_list_types_only_and_codes_are_unique():
    from ragem import toolkit

    with pytest.raises(toolkit.ValidationError) as caught:
        check_definitions([{**QUESTIONS[1], "values": QUESTIONS[0]["values"]}])
    assert "values" in caught.value.details["questions"]["0"]
    with pytest.raises(toolkit.ValidationError) as caught:
        check_definitions([QUESTIONS[1], QUESTIONS[1]])
    assert caught.value.details["questions"]["duplicate_codes"] == ["depth_cm"]
    assert [q["code"] for q in check_definitions(list(reversed(QUESTIONS)))] == [q["code"] for q in QUESTIONS]
