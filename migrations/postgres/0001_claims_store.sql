-- The claims store: members and their eligibility, every adjudicated claim
-- (paid claims are the member's history), prior authorizations on file and
-- the formulary versions that decided.
CREATE TABLE members (
    id          TEXT PRIMARY KEY,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    sex         TEXT NOT NULL,
    plan        TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    enrolled    TEXT NOT NULL,
    terminated  TEXT
);

CREATE TABLE claims (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pharmacy          TEXT NOT NULL,
    rx_number         TEXT NOT NULL,
    fill_number       BIGINT NOT NULL,
    date_of_service   TEXT NOT NULL,
    member_id         TEXT NOT NULL,
    ndc               TEXT,
    rxcui             BIGINT,
    quantity          DOUBLE PRECISION NOT NULL,
    days_supply       BIGINT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('paid', 'rejected')),
    reject_codes      TEXT NOT NULL,
    patient_pay_cents BIGINT,
    plan_pay_cents    BIGINT,
    total_cents       BIGINT,
    formulary_id      TEXT NOT NULL,
    formulary_version TEXT NOT NULL,
    formulary_hash    TEXT NOT NULL,
    request           TEXT NOT NULL,
    response          TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    reversed_at       TEXT
);

-- A paid claim is recorded once: a resubmission is a duplicate. After a
-- reversal the same prescription fill may be billed again.
CREATE UNIQUE INDEX claims_paid_once
    ON claims (pharmacy, rx_number, fill_number, date_of_service)
    WHERE status = 'paid' AND reversed_at IS NULL;
CREATE INDEX claims_by_member ON claims (member_id, date_of_service);

CREATE TABLE prior_authorizations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   TEXT NOT NULL,
    number      TEXT NOT NULL,
    ndc         TEXT,
    rxcui       BIGINT,
    rule        TEXT,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('approved', 'denied')),
    entered_at  TEXT NOT NULL,
    UNIQUE (member_id, number)
);

CREATE TABLE formulary_versions (
    hash        TEXT PRIMARY KEY,
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    first_loaded TEXT NOT NULL
);
