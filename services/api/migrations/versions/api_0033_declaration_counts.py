"""Province scale: the counts behind the statistics and the problem-rate reports, kept by
triggers.

The campaign statistics (statistics/service.py) and the per-unit problem rate (recommended:
the unit's step completed; with problems: returned by a higher level) read every visible
declaration of a campaign: 800 000 at 1M declarations, over the 5 s statement timeout. They
now sum `declaration_count`, one row per combination of what they group or filter by,
with the number of declarations in it:

- campaign, unit, status, level, specialty, path, passed (the step at position 0
  completed), returned_above (a return issued at a position above 0), with
  `reach_org`/`reach_kind` null: the base row, every declaration once;
- the same with `reach_org`/`reach_kind` set: the declaration once more for each distinct
  (org, kind) of the review steps it has reached (an office sees those reached at its org
  with its role's kind: `declarations.service.visible`).

An office counts the base rows of the units in its subtree (read as it stands now) and
the reached rows at its org and kind of the units outside it; ops count the base rows;
every other role's visibility is a filter of the unit or the reached org.

`declaration_counted` holds what each declaration is counted as now (its base key and the
(org, kind) pairs it reached), so a change is the difference between that and what it is
counted as afresh. Statement triggers on declaration, review_step and declaration_return
(a COPY of load data included) note the declarations a statement changed
(`declaration_recount_due`, one row per transaction); a deferred trigger recounts them
once, when the transaction commits, in one pass: it locks their rows (FOR NO KEY UPDATE,
ordered by id: two transactions recounting one declaration take turns, the second seeing
the first's rows), then adds the differences with INSERT … ON CONFLICT DO UPDATE in the
order of the key. So a transaction takes the shared count rows once, last, in the same
order as every other writer, and holds them only while it commits (recounted statement by
statement, ten concurrent submissions to one unit deadlocked on them).

Revision ID: api_0033
Revises: api_0032
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "api_0033"
down_revision = "api_0032"
branch_labels = None
depends_on = None

KEY = (
    "campaign_id, unit_org_id, reach_org, reach_kind, status, level, specialty, path, passed,"
    " returned_above"
)

# What declarations `ids` are counted as afresh, from the base tables.
FRESH = """
    SELECT d.id AS declaration_id, d.campaign_id, d.unit_org_id, d.status, d.level,
           d.specialty, d.path,
           EXISTS (SELECT 1 FROM api.review_step s WHERE s.declaration_id = d.id
                   AND s.position = 0 AND s.completed_at IS NOT NULL) AS passed,
           EXISTS (SELECT 1 FROM api.declaration_return r WHERE r.declaration_id = d.id
                   AND r.position > 0) AS returned_above,
           coalesce(reached.orgs, '{}') AS reach_orgs,
           coalesce(reached.kinds, '{}') AS reach_kinds
    FROM api.declaration d
    LEFT JOIN LATERAL (
        SELECT array_agg(x.org_id ORDER BY x.org_id, x.kind) AS orgs,
               array_agg(x.kind ORDER BY x.org_id, x.kind) AS kinds
        FROM (SELECT DISTINCT s.org_id, s.kind::text AS kind FROM api.review_step s
              WHERE s.declaration_id = d.id AND s.reached_at IS NOT NULL) x
    ) reached ON true
"""

# The rows of `declaration_count` a set of `declaration_counted` rows (alias c) adds,
# each with `sign`.
EXPANDED = """
    SELECT c.campaign_id, c.unit_org_id, NULL::uuid AS reach_org, NULL::text AS reach_kind,
           c.status, c.level, c.specialty, c.path, c.passed, c.returned_above, {sign} AS n
    FROM {source} c
    UNION ALL
    SELECT c.campaign_id, c.unit_org_id, r.org, r.kind, c.status, c.level, c.specialty,
           c.path, c.passed, c.returned_above, {sign}
    FROM {source} c, unnest(c.reach_orgs, c.reach_kinds) AS r (org, kind)
"""

UPGRADE = f"""
CREATE TABLE api.declaration_count (
    campaign_id uuid NOT NULL,
    unit_org_id uuid NOT NULL,
    reach_org uuid,
    reach_kind text,
    status text NOT NULL,
    level text NOT NULL,
    specialty text,
    path text NOT NULL,
    passed boolean NOT NULL,
    returned_above boolean NOT NULL,
    n bigint NOT NULL,
    CONSTRAINT declaration_count_key UNIQUE NULLS NOT DISTINCT ({KEY})
);

CREATE INDEX declaration_count_reached ON api.declaration_count (campaign_id, reach_org, reach_kind)
    WHERE reach_org IS NOT NULL;

CREATE TABLE api.declaration_counted (
    declaration_id uuid PRIMARY KEY,
    campaign_id uuid NOT NULL,
    unit_org_id uuid NOT NULL,
    status text NOT NULL,
    level text NOT NULL,
    specialty text,
    path text NOT NULL,
    passed boolean NOT NULL,
    returned_above boolean NOT NULL,
    reach_orgs uuid[] NOT NULL,
    reach_kinds text[] NOT NULL
);

CREATE FUNCTION api.declaration_recount(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM api.declaration WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    WITH fresh AS ({FRESH} WHERE d.id = ANY(ids)),
    old AS (SELECT * FROM api.declaration_counted WHERE declaration_id = ANY(ids)),
    changed AS (
        SELECT * FROM fresh
        EXCEPT
        SELECT declaration_id, campaign_id, unit_org_id, status, level, specialty, path,
               passed, returned_above, reach_orgs, reach_kinds FROM old
    ),
    gone AS (
        SELECT * FROM old o WHERE NOT EXISTS (SELECT 1 FROM fresh f
                                              WHERE f.declaration_id = o.declaration_id)
    ),
    was AS (
        SELECT o.* FROM old o JOIN changed f USING (declaration_id)
        UNION ALL
        SELECT * FROM gone
    ),
    saved AS (
        INSERT INTO api.declaration_counted AS t SELECT * FROM changed
        ON CONFLICT (declaration_id) DO UPDATE SET
            campaign_id = EXCLUDED.campaign_id, unit_org_id = EXCLUDED.unit_org_id,
            status = EXCLUDED.status, level = EXCLUDED.level, specialty = EXCLUDED.specialty,
            path = EXCLUDED.path, passed = EXCLUDED.passed,
            returned_above = EXCLUDED.returned_above, reach_orgs = EXCLUDED.reach_orgs,
            reach_kinds = EXCLUDED.reach_kinds
    ),
    dropped AS (
        DELETE FROM api.declaration_counted t USING gone g
        WHERE t.declaration_id = g.declaration_id
    ),
    delta AS (
        {EXPANDED.format(sign="-1", source="was")}
        UNION ALL
        {EXPANDED.format(sign="1", source="changed")}
    )
    INSERT INTO api.declaration_count AS t ({KEY}, n)
    SELECT {KEY}, sum(n) FROM delta
    GROUP BY {KEY}
    HAVING sum(n) <> 0
    ORDER BY {KEY}
    ON CONFLICT ON CONSTRAINT declaration_count_key DO UPDATE SET n = t.n + EXCLUDED.n;
END $$;

-- The declarations a transaction changed, recounted once when it commits.
CREATE TABLE api.declaration_recount_due (
    txid bigint PRIMARY KEY,
    ids uuid[] NOT NULL
);

CREATE FUNCTION api.declaration_recount_later(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO api.declaration_recount_due AS t (txid, ids)
    SELECT txid_current(), ids WHERE cardinality(ids) > 0
    ON CONFLICT (txid) DO UPDATE SET ids = t.ids || EXCLUDED.ids
$$;

CREATE FUNCTION api.declaration_recount_due() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    due uuid[];
BEGIN
    DELETE FROM api.declaration_recount_due WHERE txid = NEW.txid RETURNING ids INTO due;
    IF due IS NOT NULL THEN
        PERFORM api.declaration_recount(ARRAY(SELECT DISTINCT unnest(due)));
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER declaration_recount_at_commit
    AFTER INSERT ON api.declaration_recount_due DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION api.declaration_recount_due();

CREATE FUNCTION api.declaration_recount_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'declaration' THEN
        PERFORM api.declaration_recount_later(ARRAY(SELECT id FROM changed));
    ELSE
        PERFORM api.declaration_recount_later(ARRAY(SELECT DISTINCT declaration_id FROM changed));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION api.declaration_recount_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'declaration' THEN
        PERFORM api.declaration_recount_later(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.campaign_id, o.unit_org_id, o.status, o.level, o.specialty, o.path)
                  IS DISTINCT FROM
                  (n.campaign_id, n.unit_org_id, n.status, n.level, n.specialty, n.path)));
    ELSIF TG_TABLE_NAME = 'review_step' THEN
        PERFORM api.declaration_recount_later(ARRAY(
            SELECT DISTINCT x.d FROM new_rows n JOIN old_rows o ON o.id = n.id,
                LATERAL (VALUES (o.declaration_id), (n.declaration_id)) AS x (d)
            WHERE (o.declaration_id, o.position, o.org_id, o.kind,
                   o.reached_at IS NULL, o.completed_at IS NULL)
                  IS DISTINCT FROM
                  (n.declaration_id, n.position, n.org_id, n.kind,
                   n.reached_at IS NULL, n.completed_at IS NULL)));
    ELSE
        PERFORM api.declaration_recount_later(ARRAY(
            SELECT DISTINCT x.d FROM new_rows n JOIN old_rows o ON o.id = n.id,
                LATERAL (VALUES (o.declaration_id), (n.declaration_id)) AS x (d)
            WHERE (o.declaration_id, o.position) IS DISTINCT FROM (n.declaration_id, n.position)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION api.declaration_recount_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'declaration' THEN
        PERFORM api.declaration_recount_later(ARRAY(SELECT id FROM changed));
    ELSE
        PERFORM api.declaration_recount_later(ARRAY(SELECT DISTINCT declaration_id FROM changed));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER declaration_recount_insert AFTER INSERT ON api.declaration
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_inserted();

CREATE TRIGGER declaration_recount_update AFTER UPDATE ON api.declaration
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_updated();

CREATE TRIGGER declaration_recount_delete AFTER DELETE ON api.declaration
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_deleted();

CREATE TRIGGER review_step_recount_insert AFTER INSERT ON api.review_step
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_inserted();

CREATE TRIGGER review_step_recount_update AFTER UPDATE ON api.review_step
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_updated();

CREATE TRIGGER review_step_recount_delete AFTER DELETE ON api.review_step
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_deleted();

CREATE TRIGGER declaration_return_recount_insert AFTER INSERT ON api.declaration_return
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_inserted();

CREATE TRIGGER declaration_return_recount_update AFTER UPDATE ON api.declaration_return
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_updated();

CREATE TRIGGER declaration_return_recount_delete AFTER DELETE ON api.declaration_return
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_recount_deleted();

INSERT INTO api.declaration_counted {FRESH};

INSERT INTO api.declaration_count ({KEY}, n)
SELECT {KEY}, sum(n) FROM ({EXPANDED.format(sign="1", source="api.declaration_counted")}) x
GROUP BY {KEY};
"""  # noqa: S608 (constants, no input)

TABLES = ("declaration", "review_step", "declaration_return")

DOWNGRADE = [
    *(
        f"DROP TRIGGER {table}_recount_{event} ON api.{table}"
        for table in TABLES
        for event in ("insert", "update", "delete")
    ),
    "DROP FUNCTION api.declaration_recount_deleted()",
    "DROP FUNCTION api.declaration_recount_updated()",
    "DROP FUNCTION api.declaration_recount_inserted()",
    "DROP TRIGGER declaration_recount_at_commit ON api.declaration_recount_due",
    "DROP FUNCTION api.declaration_recount_due()",
    "DROP FUNCTION api.declaration_recount_later(uuid[])",
    "DROP TABLE api.declaration_recount_due",
    "DROP FUNCTION api.declaration_recount(uuid[])",
    "DROP TABLE api.declaration_counted",
    "DROP TABLE api.declaration_count",
]


def _statements(sql: str) -> list[str]:
    """One statement per execute (prepared statements take a single command); function
    bodies contain semicolons, statements are separated by blank lines."""
    return [s.strip() for s in sql.split(";\n\n") if s.strip()]


def upgrade() -> None:
    for statement in _statements(UPGRADE):
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
