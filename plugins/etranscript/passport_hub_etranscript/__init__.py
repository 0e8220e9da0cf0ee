"""passport-hub plugin: PESC College Transcripts (eTranscript California) into normalized records.

The entry-point module is :mod:`passport_hub_etranscript.plugin`; it stays light (no lxml
import) so that loading plugins is fast. Parsing lives in :mod:`.parser`.
"""
