"""Messages citizens read, in Indonesian first and English on request (Accept-Language).

Core messages live in ``MESSAGES``; plugins pass their own ``{"id": ..., "en": ...}`` dicts to
``translate``. ``language()`` picks the request's language, ``id`` when nothing matches.
"""
from __future__ import annotations

from typing import Mapping

from flask import has_request_context, request

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

MESSAGES: dict[str, dict[str, str]] = {
    "bad_request": {"id": "Permintaan tidak valid.", "en": "The request is not valid."},
    "invalid_json": {"id": "Isi permintaan bukan JSON yang valid.", "en": "The request body is not valid JSON."},
    "validation_error": {"id": "Data yang dikirim tidak valid.", "en": "The submitted data is not valid."},
    "unauthorized": {"id": "Anda perlu masuk terlebih dahulu.", "en": "You need to log in first."},
    "invalid_token": {"id": "Token akses tidak valid atau kedaluwarsa.", "en": "The access token is invalid or has expired."},
    "forbidden": {"id": "Anda tidak berhak melakukan tindakan ini.", "en": "You are not allowed to do this."},
    "not_found": {"id": "Data atau alamat yang diminta tidak ditemukan.", "en": "The requested resource was not found."},
    "method_not_allowed": {"id": "Metode HTTP ini tidak diizinkan untuk alamat ini.", "en": "This HTTP method is not allowed here."},
    "conflict": {"id": "Permintaan bertentangan dengan data yang ada.", "en": "The request conflicts with existing data."},
    "payload_too_large": {"id": "Ukuran data yang dikirim terlalu besar.", "en": "The request body is too large."},
    "unsupported_media_type": {"id": "Jenis konten tidak didukung; kirim application/json.", "en": "Unsupported content type; send application/json."},
    "rate_limited": {"id": "Terlalu banyak permintaan. Coba lagi sebentar lagi.", "en": "Too many requests. Please try again shortly."},
    "internal_error": {"id": "Terjadi kesalahan pada server. Silakan coba lagi.", "en": "Something went wrong on the server. Please try again."},
    "service_unavailable": {"id": "Layanan ini sedang dalam pemeliharaan.", "en": "This service is under maintenance."},
    "not_ready": {"id": "Server belum siap melayani.", "en": "The server is not ready."},
    "database_busy": {"id": "Server sedang sibuk menyimpan data lain; data Anda belum tersimpan. Silakan coba lagi sebentar lagi.", "en": "The server is busy saving other data; your data was not saved. Please try again in a moment."},
    "storage_unavailable": {"id": "Penyimpanan server sedang bermasalah; data Anda belum tersimpan. Silakan coba lagi nanti.", "en": "The server's storage is failing; your data was not saved. Please try again later."},
    "confirmation_required": {"id": "Layanan kritis: kirim \"confirm\": true untuk menonaktifkannya.", "en": "Critical service: send \"confirm\": true to disable it."},
    "invalid_cursor": {"id": "Kursor halaman tidak valid.", "en": "The page cursor is not valid."},
    "invalid_credentials": {"id": "Nomor/identitas atau kata sandi salah.", "en": "Wrong identifier or password."},
    "unsupported_file_type": {"id": "Jenis berkas ini tidak diterima.", "en": "This type of file is not accepted."},
    "file_too_large": {"id": "Berkas terlalu besar.", "en": "The file is too large."},
    "invalid_file": {"id": "Berkas rusak atau tidak dapat dibaca.", "en": "The file is damaged or cannot be read."},
    "image_too_large": {"id": "Resolusi gambar terlalu besar. Perkecil gambar lalu kirim lagi.", "en": "The image resolution is too large. Make it smaller and send it again."},
    "upload_quota_exceeded": {"id": "Batas unggahan harian akun Anda sudah tercapai. Coba lagi besok.", "en": "Your account's daily upload limit is reached. Please try again tomorrow."},
    "invalid_signature": {"id": "Tautan berkas tidak valid.", "en": "The file link is not valid."},
    "link_expired": {"id": "Tautan berkas sudah kedaluwarsa. Minta tautan baru.", "en": "The file link has expired. Ask for a new one."},
    "invalid_period": {"id": "Periode tidak valid. Gunakan format 2026-11 (bulan), 2026-Q4 (triwulan) atau 2026 (tahun).", "en": "Invalid period. Use 2026-11 (month), 2026-Q4 (quarter) or 2026 (year)."},
    "unknown_kpi": {"id": "Indikator kinerja ini tidak dilaporkan oleh layanan mana pun.", "en": "No service reports this performance indicator."},
    "profile_field_not_declared": {"id": "Layanan ini tidak menyatakan data profil yang dimintanya.", "en": "This service did not declare the profile data it asked for."},
    "export_failed": {"id": "Ekspor data belum dapat diselesaikan. Silakan coba lagi nanti.", "en": "The data export could not be completed. Please try again later."},
    "erasure_failed": {"id": "Penghapusan akun belum dapat diselesaikan; tidak ada data yang berubah. Silakan coba lagi nanti.", "en": "The account could not be erased; nothing was changed. Please try again later."},
}


def language() -> str:
    """The language of the current request: the best Accept-Language match, else Indonesian."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    cached = getattr(request, "_ragem_language", None)
    if cached:
        return cached
    best = request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)
    request._ragem_language = best  # type: ignore[attr-defined]
    return best


def translate(text: Mapping[str, str] | str | None, lang: str | None = None) -> str | None:
    """Pick one language out of an ``{"id": ..., "en": ...}`` dict; plain strings pass through."""
    if text is None or isinstance(text, str):
        return text
    lang = lang or language()
    return text.get(lang) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), None)


def message(code: str, lang: str | None = None) -> str:
    """The core message for ``code`` in the request's language (the code itself if unknown)."""
    return translate(MESSAGES.get(code), lang) or code
