-- Attacker profiles. `attackers`, `attacker_behavior` and `smtp_targets` keep DECNET's columns
-- and meanings (docs/decnet-reference.md §5, mapped to PostgreSQL types) plus ours; set-valued
-- facts live in narrow link tables instead of growing JSON lists (DECNET P11). Every counter the
-- sensor writer maintains is a sum over newly inserted events only, and first/last seen are
-- LEAST/GREATEST, so several sensors can write to one database. Columns: docs/schema.md.

CREATE TABLE attackers (
  uuid                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  ip                   inet        NOT NULL,
  identity_id          uuid,
  first_seen           timestamptz NOT NULL,
  last_seen            timestamptz NOT NULL,
  event_count          bigint      NOT NULL DEFAULT 0,
  service_count        integer     NOT NULL DEFAULT 0,
  decky_count          integer     NOT NULL DEFAULT 0,
  services             jsonb       NOT NULL DEFAULT '[]',
  deckies              jsonb       NOT NULL DEFAULT '[]',
  traversal_path       text,
  is_traversal         boolean     NOT NULL DEFAULT false,
  bounty_count         integer     NOT NULL DEFAULT 0,
  credential_count     integer     NOT NULL DEFAULT 0,
  fingerprints         jsonb       NOT NULL DEFAULT '[]',
  commands             jsonb       NOT NULL DEFAULT '[]',
  country_code         varchar(2),
  country_source       varchar(16),
  asn                  integer,
  as_name              varchar(128),
  bgp_prefix           cidr,
  asn_source           varchar(16),
  rpki_status          varchar(16),
  rpki_source          varchar(16),
  ptr_record           varchar(256),
  rotation_count       integer     NOT NULL DEFAULT 0,
  last_rotation_at     timestamptz,
  ipv6_leak_count      integer     NOT NULL DEFAULT 0,
  last_ipv6_leak_at    timestamptz,
  last_ipv6_link_local inet,
  last_ipv6_iid_kind   varchar(16),
  last_ipv6_mac_oui    varchar(8),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  -- ours
  sensor_count         integer     NOT NULL DEFAULT 0,
  enriched_at          timestamptz,
  CONSTRAINT attackers_ip_key UNIQUE (ip)
);
-- No index on the columns every batch updates (last_seen, event_count): it would make each
-- update a non-HOT one and double the write cost; the views sort the table instead.
CREATE INDEX attackers_country_code ON attackers (country_code);
CREATE INDEX attackers_asn ON attackers (asn);

CREATE TABLE attacker_behavior (
  attacker_uuid      uuid        PRIMARY KEY REFERENCES attackers (uuid) ON DELETE CASCADE,
  os_guess           text,
  hop_distance       integer,
  tcp_fingerprint    jsonb       NOT NULL DEFAULT '{}',
  kex_order_raw      jsonb,
  ssh_client_banners jsonb,
  retransmit_count   bigint      NOT NULL DEFAULT 0,
  behavior_class     text,
  beacon_interval_s  double precision,
  beacon_jitter_pct  double precision,
  tool_guesses       jsonb,
  timing_stats       jsonb       NOT NULL DEFAULT '{}',
  phase_sequence     jsonb       NOT NULL DEFAULT '{}',
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- ours
  ip                 inet        NOT NULL UNIQUE,
  tcp_fingerprint_at timestamptz,
  flow_count         bigint      NOT NULL DEFAULT 0
);

CREATE TABLE smtp_targets (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  attacker_uuid uuid        NOT NULL REFERENCES attackers (uuid) ON DELETE CASCADE,
  domain        text        NOT NULL,
  first_seen    timestamptz NOT NULL,
  last_seen     timestamptz NOT NULL,
  count         bigint      NOT NULL DEFAULT 0,
  -- ours
  ip            inet        NOT NULL,
  CONSTRAINT uq_smtp_targets_attacker_domain UNIQUE (attacker_uuid, domain)
);
CREATE INDEX smtp_targets_domain ON smtp_targets (domain);
CREATE INDEX smtp_targets_last_seen ON smtp_targets (last_seen);

-- One row per (host, fingerprint): the pivot "which IPs share this JA4 / HASSH / ...".
CREATE TABLE attacker_fingerprints (
  ip         inet        NOT NULL,
  kind       text        NOT NULL,
  value      text        NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  count      bigint      NOT NULL,
  PRIMARY KEY (ip, kind, value)
);
CREATE INDEX attacker_fingerprints_kind_value ON attacker_fingerprints (kind, value);

-- Which decoy hosts (destination addresses) and services (transport, destination port) each
-- source touched, and which sensors saw it. attackers.decky_count / service_count /
-- sensor_count count the rows of these tables.
CREATE TABLE attacker_deckies (
  ip         inet        NOT NULL,
  decky_ip   inet        NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  count      bigint      NOT NULL,
  PRIMARY KEY (ip, decky_ip)
);

CREATE TABLE attacker_services (
  ip         inet        NOT NULL,
  transport  text        NOT NULL,
  dst_port   integer     NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen  timestamptz NOT NULL,
  count      bigint      NOT NULL,
  PRIMARY KEY (ip, transport, dst_port)
);

CREATE TABLE attacker_sensors (
  ip          inet        NOT NULL,
  sensor_id   text        NOT NULL,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  event_count bigint      NOT NULL,
  PRIMARY KEY (ip, sensor_id)
);
