"""Seal the audit log in an HMAC hash chain and close the database-level ways to empty it.

* Adds `seq`, `prev_mac` and `mac` and seals the existing events in (occurred_at, id) order
  with the key outside the database (dudao/audit/chain.py).
* PostgreSQL: the row trigger refuses UPDATE and DELETE for everybody (the `dudao.audit_purge`
  bypass of 0002 is gone) and a statement-level trigger refuses TRUNCATE to every role but a
  superuser (Django's test flush runs as one; a superuser can bypass any trigger anyway — the
  chain and its anchors detect what it does). The app itself runs as a role that may only
  INSERT and SELECT this table (dudao/audit/pgroles.py).
* SQLite: UPDATE is refused by the trigger (recreated after the table rebuild); a DELETE is
  detected by the chain.
"""

from typing import Any

from django.db import migrations, models

PG_ROW_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are immutable (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

PG_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit events are immutable (TRUNCATE)';
END;
$$ LANGUAGE plpgsql;
"""

PG_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
BEGIN
  IF current_setting('dudao.audit_purge', true) = 'on' AND TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit events are immutable (%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are immutable'); END;"
)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_auditevent;")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_no_truncate();")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update;")


def seal_existing(apps: Any, schema_editor: Any) -> None:
    from dudao.audit import chain

    event_model = apps.get_model("audit", "AuditEvent")
    prev = chain.GENESIS
    events = event_model.objects.order_by("occurred_at", "id")
    for seq, event in enumerate(events.iterator(chunk_size=2000), start=1):
        event.seq, event.prev_mac = seq, prev
        event.mac = chain.mac_of(event)
        event_model.objects.filter(pk=event.pk).update(
            seq=event.seq, prev_mac=event.prev_mac, mac=event.mac
        )
        prev = event.mac


def create_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the body's RAISE format '%' must reach PostgreSQL unmerged.
        schema_editor.execute(PG_ROW_FUNCTION, params=None)
        schema_editor.execute(PG_TRUNCATE_FUNCTION, params=None)
        schema_editor.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();"
        )
        schema_editor.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def restore_old_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_OLD_FUNCTION, params=None)
        schema_editor.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    # PostgreSQL refuses ALTER TABLE with pending trigger events in the same transaction.
    atomic = False
    dependencies = [("audit", "0002_immutable_triggers")]
    operations = [
        migrations.RunPython(drop_triggers, restore_old_triggers, atomic=True),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_mac",
            field=models.CharField(default="", max_length=64, verbose_name="前一条封印"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(default="", max_length=64, verbose_name="封印"),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, atomic=True),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="链序号"),
        ),
        migrations.RunPython(create_triggers, drop_triggers, atomic=True),
    ]
