"""records of red_cross and apprenticeship name their document's format as a person would

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:40:00

Those plugins wrote ids (``red_cross.lookup_html``) where the others write names; CPL reports
and share pages show the format as the evidence a credential was read from. A stored record is
not rewritten by importing its document again (the document is already stored), so the stored
JSON is changed here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RENAMED = {
    "red_cross.lookup_html": "Red Cross certificate lookup answer (HTML)",
    "red_cross.certificate_pdf.full": "Red Cross certificate PDF (full)",
    "red_cross.certificate_pdf.wallet": "Red Cross certificate PDF (wallet)",
    "apprenticeship-completion-roster-csv": "Apprenticeship completion roster (CSV)",
    "apprenticeship-completion-roster-json": "Apprenticeship completion roster (JSON)",
    "das-certificate-of-completion-pdf": "California DAS Certificate of Completion of Apprenticeship (PDF)",
}


def _rename(pairs) -> None:
    # the record JSON is written compact (pydantic), so the field is this exact text
    for old, new in pairs:
        op.execute(sa.text("UPDATE records SET data = replace(data, :old, :new) "
                           "WHERE plugin IN ('red_cross', 'apprenticeship')")
                   .bindparams(old=f'"format":"{old}"', new=f'"format":"{new}"'))


def upgrade() -> None:
    _rename(RENAMED.items())


def downgrade() -> None:
    _rename((new, old) for old, new in RENAMED.items())
