"""Province scale: the review queue's rank is stored on the waiting step, kept by triggers.

The queue puts first the declarations whose latest submission recorded risk papers, then
those sharing claimed papers or achievements with another applicant's submitted
declaration, then the rest in the order they reached the step (chain/queue.py). Computed
per request, every waiting row of an office was counted and sorted: 300 000 at a series
office at 1M declarations. Stored on the step (`risk_flagged`, `risk_shared`) with an index
in the queue's order, a page is the first rows of that index.

The rank is kept in the same transaction as whatever changes it, by triggers, so no write
path can forget it (COPYed load data included):
- a step reached or reopened (insert, or reached_at / completed_at changed) computes its own;
- paper flags recorded, claims replaced, a declaration's status or submission count
  changed: the waiting steps of that declaration, and for claims and status those of the
  declarations claiming the same item (whose shared count may have changed), are recomputed
  and written where they differ.
A completed or not yet reached step ranks 0 (the queue reads only the current step).

Revision ID: api_0032
Revises: api_0031
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "api_0032"
down_revision = "api_0031"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE api.review_step
    ADD COLUMN risk_flagged integer NOT NULL DEFAULT 0,
    ADD COLUMN risk_shared integer NOT NULL DEFAULT 0;

-- Papers the declaration's latest submission recorded as risk (journals/flags.py).
CREATE FUNCTION api.queue_flagged(d uuid) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM api.paper_flag f JOIN api.declaration x ON x.id = f.declaration_id
    WHERE f.declaration_id = d AND f.n = x.submission_count AND f.level = 'risk'
$$;

-- Its claims another applicant's submitted declaration of the same year also makes
-- (journals/duplicates.py).
CREATE FUNCTION api.queue_shared(d uuid) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM api.declaration_claim c
    WHERE c.declaration_id = d AND EXISTS (
        SELECT 1 FROM api.declaration_claim o JOIN api.declaration od ON od.id = o.declaration_id
        WHERE o.year = c.year AND o.kind = c.kind AND o.fingerprint = c.fingerprint
          AND o.applicant_sub <> c.applicant_sub AND od.status NOT IN ('draft', 'withdrawn'))
$$;

CREATE FUNCTION api.review_step_rank() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.completed_at IS NOT NULL OR NEW.reached_at IS NULL THEN
        NEW.risk_flagged := 0;
        NEW.risk_shared := 0;
    ELSE
        NEW.risk_flagged := api.queue_flagged(NEW.declaration_id);
        NEW.risk_shared := api.queue_shared(NEW.declaration_id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER review_step_rank_insert BEFORE INSERT ON api.review_step
    FOR EACH ROW EXECUTE FUNCTION api.review_step_rank();

CREATE TRIGGER review_step_rank_update BEFORE UPDATE OF reached_at, completed_at, declaration_id
    ON api.review_step FOR EACH ROW EXECUTE FUNCTION api.review_step_rank();

-- Recompute the waiting steps of these declarations, writing only those that changed.
CREATE FUNCTION api.queue_rerank(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    UPDATE api.review_step s
    SET risk_flagged = r.flagged, risk_shared = r.shared
    FROM (
        SELECT w.id, api.queue_flagged(w.declaration_id) AS flagged,
               api.queue_shared(w.declaration_id) AS shared
        FROM api.review_step w
        WHERE w.declaration_id = ANY(ids) AND w.completed_at IS NULL AND w.reached_at IS NOT NULL
    ) r
    WHERE s.id = r.id AND (s.risk_flagged, s.risk_shared) IS DISTINCT FROM (r.flagged, r.shared)
$$;

CREATE FUNCTION api.paper_flag_rerank() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM api.queue_rerank(ARRAY(SELECT DISTINCT declaration_id FROM changed));
    RETURN NULL;
END $$;

CREATE TRIGGER paper_flag_rerank AFTER INSERT ON api.paper_flag
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.paper_flag_rerank();

-- The declarations making the changed claims, and those claiming the same items.
CREATE FUNCTION api.declaration_claim_rerank() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM api.queue_rerank(ARRAY(
        SELECT declaration_id FROM changed
        UNION
        SELECT o.declaration_id FROM changed c JOIN api.declaration_claim o
            ON o.year = c.year AND o.kind = c.kind AND o.fingerprint = c.fingerprint
    ));
    RETURN NULL;
END $$;

CREATE TRIGGER declaration_claim_rerank_insert AFTER INSERT ON api.declaration_claim
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_claim_rerank();

CREATE TRIGGER declaration_claim_rerank_delete AFTER DELETE ON api.declaration_claim
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION api.declaration_claim_rerank();

CREATE FUNCTION api.declaration_rerank() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM api.queue_rerank(ARRAY(
        SELECT NEW.id
        UNION
        SELECT o.declaration_id FROM api.declaration_claim c JOIN api.declaration_claim o
            ON o.year = c.year AND o.kind = c.kind AND o.fingerprint = c.fingerprint
        WHERE c.declaration_id = NEW.id
    ));
    RETURN NULL;
END $$;

CREATE TRIGGER declaration_rerank AFTER UPDATE OF status, submission_count ON api.declaration
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.submission_count IS DISTINCT FROM NEW.submission_count)
    EXECUTE FUNCTION api.declaration_rerank();

UPDATE api.review_step
SET risk_flagged = api.queue_flagged(declaration_id), risk_shared = api.queue_shared(declaration_id)
WHERE completed_at IS NULL AND reached_at IS NOT NULL;

-- The queue's order (chain/queue.py), over the steps a declaration waits at.
CREATE INDEX review_step_queue ON api.review_step
    (org_id, kind, risk_flagged DESC, risk_shared DESC, reached_at, declaration_id)
    WHERE completed_at IS NULL AND reached_at IS NOT NULL;
"""

DOWNGRADE = """
DROP INDEX api.review_step_queue;
DROP TRIGGER declaration_rerank ON api.declaration;
DROP TRIGGER declaration_claim_rerank_delete ON api.declaration_claim;
DROP TRIGGER declaration_claim_rerank_insert ON api.declaration_claim;
DROP TRIGGER paper_flag_rerank ON api.paper_flag;
DROP TRIGGER review_step_rank_update ON api.review_step;
DROP TRIGGER review_step_rank_insert ON api.review_step;
DROP FUNCTION api.declaration_rerank();
DROP FUNCTION api.declaration_claim_rerank();
DROP FUNCTION api.paper_flag_rerank();
DROP FUNCTION api.queue_rerank(uuid[]);
DROP FUNCTION api.review_step_rank();
DROP FUNCTION api.queue_shared(uuid);
DROP FUNCTION api.queue_flagged(uuid);
ALTER TABLE api.review_step DROP COLUMN risk_shared, DROP COLUMN risk_flagged;
"""


def _statements(sql: str) -> list[str]:
    """One statement per execute (prepared statements take a single command); function
    bodies contain semicolons, statements are separated by blank lines."""
    return [s.strip() for s in sql.split(";\n\n") if s.strip()]


def upgrade() -> None:
    for statement in _statements(UPGRADE):
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE.strip().split(";\n"):
        op.execute(statement)
