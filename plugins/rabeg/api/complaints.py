"""The RABEG API: citizens file and follow complaints; officers work their OPD's queue."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import ASSIST, FILE, HANDLE
from plugins.rabeg.services import assisted, data_rights, filing, lifecycle, privacy, queues, reporter
from plugins.rabeg.schemas.complaints import (
    AssistedComplaintCreateSchema,
    AssistedReceiptSchema,
    ComplainantErasureSchema,
    ComplaintCreateSchema,
    ComplaintPageSchema,
    ComplaintSchema,
    IdempotencyHeaderSchema,
    PrivacySchema,
    QueueArgsSchema,
    TransitionSchema,
)

blp = toolkit.Blueprint("rabeg_complaints", __name__, description="RABEG: citizen complaints")


@blp.route("/complaints", methods=["POST"])
@toolkit.permission_required(FILE)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(ComplaintCreateSchema)
@blp.response(201, ComplaintSchema)
@blp.alt_response(200, schema=ComplaintSchema, description="a retry with a known Idempotency-Key: the first complaint")
def file_complaint(headers, body):
    """File a complaint; it is routed to the responsible OPD at once (422 `idempotency_key_reused` when the
    Idempotency-Key was already used with another body)."""
    complaint, created = filing.file_complaint(reporter=toolkit.current_user(),
                                               idempotency_key=headers.get("idempotency_key"), **body)
    return complaint, 201 if created else 200


@blp.route("/complaints/assisted", methods=["POST"])
@toolkit.permission_required(ASSIST)
@blp.arguments(IdempotencyHeaderSchema, location="headers")
@blp.arguments(AssistedComplaintCreateSchema)
@blp.response(201, AssistedReceiptSchema)
@blp.alt_response(200, schema=AssistedReceiptSchema, description="a retry with a known Idempotency-Key: the first "
                                                                 "complaint")
def file_assisted_complaint(headers, body):
    """An officer (of any OPD) or admin records a complaint brought in person, by phone, by letter or from social
    media on the complainant's behalf; it is routed, timed and followed like one from the app. A phone verified
    on an account links the complaint to it; otherwise updates are texted to the phone."""
    complaint, created = assisted.file_on_behalf(toolkit.current_user(),
                                                 idempotency_key=headers.get("idempotency_key"), **body)
    return complaint, 201 if created else 200


@blp.route("/complaints/mine")
@toolkit.permission_required(FILE)
@blp.arguments(toolkit.PageArgsSchema, location="query")
@blp.response(200, ComplaintPageSchema)
def list_my_complaints(args):
    """The caller's own complaints, newest first (`?limit=&cursor=`)."""
    return queues.my_complaints(toolkit.current_user(), **args)


@blp.route("/complaints/<int:complaint_id>")
@toolkit.login_required
@blp.response(200, ComplaintSchema)
def get_complaint(complaint_id):
    """One complaint with its timeline (internal notes only for the assigned OPD and admins) and, for the
    assigned OPD's officers, the name and phone of a reporter who did not file anonymously (each read is in
    the reporter's access log)."""
    return reporter.complaint_detail(complaint_id, toolkit.current_user())


@blp.route("/complaints/<int:complaint_id>/privacy", methods=["PUT"])
@toolkit.permission_required(FILE)
@blp.arguments(PrivacySchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(403, response="FORBIDDEN", description="the OPD's staff: only the reporter decides")
@blp.alt_response(404, response="NOT_FOUND", description="not the caller's complaint, or no such complaint")
def set_complaint_privacy(body, complaint_id):
    """The reporter keeps their complaint out of the public list, map and Open311 (`private: true`), or lets
    it back in; the OPD handles it either way."""
    return privacy.set_private(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints/<int:complaint_id>/complainant", methods=["DELETE"])
@toolkit.permission_required(HANDLE)
@blp.arguments(ComplainantErasureSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description="not one of the caller's OPD's complaints, or no such complaint")
@blp.alt_response(409, response="CONFLICT", description="the complaint belongs to an account: the citizen erases it")
def erase_complainant(body, complaint_id):
    """Erase the name, phone and address of a complainant without an account who asked for it (the assigned
    OPD's staff or an admin, audited); the complaint stays and no more texts go to the phone."""
    return data_rights.forget_complainant(complaint_id, toolkit.current_user(), **body)


@blp.route("/complaints")
@toolkit.permission_required(HANDLE)
@blp.arguments(QueueArgsSchema, location="query")
@blp.response(200, ComplaintPageSchema)
def list_complaint_queue(args):
    """The officer's OPD queue (`?scope=my-opd|all`), filtered by state, category, kecamatan, kelurahan, SLA
    status and filing date; nearest resolution deadline first unless `sort` says otherwise."""
    return queues.opd_queue(toolkit.current_user(), **args)


@blp.route("/complaints/<int:complaint_id>/transitions", methods=["POST"])
@toolkit.permission_required(HANDLE)
@blp.arguments(TransitionSchema)
@blp.response(200, ComplaintSchema)
@blp.alt_response(404, response="NOT_FOUND", description="not one of the caller's OPD's complaints, or no such complaint")
@blp.alt_response(409, response="CONFLICT", description="the change is not allowed from the current state "
                                                        "(details: from, to)")
def transition_complaint(body, complaint_id):
    """Move a complaint along (assigned -> in_progress -> resolved, or rejected with a reason); 409 if refused."""
    return lifecycle.transition(complaint_id, toolkit.current_user(), **body)
