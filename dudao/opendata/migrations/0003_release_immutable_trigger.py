"""Database triggers that refuse any UPDATE of a release (SQLite and PostgreSQL). DELETE stays
possible so that removing a project removes its releases; the ORM refuses it otherwise."""

from typing import Any

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION opendata_release_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'opendata releases are immutable';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(
            "CREATE TRIGGER opendata_release_no_update BEFORE UPDATE ON opendata_release "
            "FOR EACH ROW EXECUTE FUNCTION opendata_release_immutable();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER opendata_release_no_update BEFORE UPDATE ON opendata_release "
            "BEGIN SELECT RAISE(ABORT, 'opendata releases are immutable'); END;"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS opendata_release_no_update ON opendata_release;"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS opendata_release_immutable();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS opendata_release_no_update;")


class Migration(migrations.Migration):
    dependencies = [("opendata", "0002_field_classes")]
    operations = [migrations.RunPython(forwards, backwards)]
