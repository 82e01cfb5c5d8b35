"""What several Wi-Fi schemas share: ids, text limits, Kota Serang's bounds."""
from __future__ import annotations

from marshmallow import validate

#: A row id (an integer column: larger numbers name nothing).
ID = validate.Range(min=1, max=2**31 - 1)
# Blank text is no text; NUL and other control characters never reach the database.
PLAIN_TEXT = validate.Regexp(r"^(?=\s*\S)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="not blank, without control characters")
SHORT_TEXT = [validate.Length(min=1, max=300), PLAIN_TEXT]
LABEL_TEXT = [validate.Length(min=1, max=60), PLAIN_TEXT]
NAME_TEXT = [validate.Length(min=1, max=120), PLAIN_TEXT]
# A NAS-Identifier or Called-Station-Id: printable, no spaces at the ends.
NAS_TEXT = [validate.Length(min=1, max=128), validate.Regexp(r"^[\x21-\x7e][\x20-\x7e]*$", error="printable ASCII")]
SSID_TEXT = [validate.Length(min=1, max=32), PLAIN_TEXT]
#: Kota Serang and a margin around it.
LAT = validate.Range(min=-6.30, max=-5.95)
LON = validate.Range(min=106.00, max=106.35)
