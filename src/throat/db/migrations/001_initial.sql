-- The forum's first schema: Throat's concepts and limits (spec §1.4), our names and types.
-- Times are timestamptz; counters that listings sort on are kept on the rows they sort.

CREATE TABLE users (
    uid         varchar(40) PRIMARY KEY,             -- a UUID, or an identity provider's id
    name        varchar(64) NOT NULL,
    email       text NOT NULL DEFAULT '',
    crypto      smallint NOT NULL DEFAULT 1,         -- 1 bcrypt, 2 remote (no local hash)
    password    text NOT NULL DEFAULT '',
    joindate    timestamptz NOT NULL DEFAULT now(),
    score       integer NOT NULL DEFAULT 0,          -- karma received
    given       integer NOT NULL DEFAULT 0,          -- balance of the votes given
    status      smallint NOT NULL DEFAULT 0,         -- 0 ok, 1 probation, 5 banned, 10 deleted
    resets      integer NOT NULL DEFAULT 0,          -- raised to end every session
    language    varchar(11)
);
CREATE UNIQUE INDEX users_name_key ON users (lower(name));

CREATE TABLE user_metadata (
    xid         bigserial PRIMARY KEY,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    key         varchar(255) NOT NULL,
    value       text NOT NULL DEFAULT ''
);
CREATE INDEX user_metadata_uid_key ON user_metadata (uid, key);

CREATE TABLE site_metadata (
    xid         bigserial PRIMARY KEY,
    key         varchar(255) NOT NULL,
    value       text NOT NULL DEFAULT ''
);
CREATE INDEX site_metadata_key ON site_metadata (key);

CREATE TABLE subs (
    sid         varchar(40) PRIMARY KEY,
    name        varchar(32) NOT NULL CHECK (name ~ '^[a-zA-Z0-9_-]{2,32}$'),
    title       varchar(128) NOT NULL DEFAULT '',
    sidebar     text NOT NULL DEFAULT '' CHECK (length(sidebar) <= 8000),
    nsfw        boolean NOT NULL DEFAULT false,
    status      smallint NOT NULL DEFAULT 0,         -- 0 active, 1 banned, 2 quarantined
    creation    timestamptz NOT NULL DEFAULT now(),
    subscribers integer NOT NULL DEFAULT 1,
    posts       integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX subs_name_key ON subs (lower(name));

CREATE TABLE sub_metadata (
    xid         bigserial PRIMARY KEY,
    sid         varchar(40) NOT NULL REFERENCES subs (sid) ON DELETE CASCADE,
    key         varchar(255) NOT NULL,
    value       text NOT NULL DEFAULT ''
);
CREATE INDEX sub_metadata_sid_key ON sub_metadata (sid, key);

CREATE TABLE sub_mods (
    id          bigserial PRIMARY KEY,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    sid         varchar(40) NOT NULL REFERENCES subs (sid) ON DELETE CASCADE,
    power_level smallint NOT NULL CHECK (power_level BETWEEN 0 AND 2),  -- owner, mod, janitor
    invite      boolean NOT NULL DEFAULT false,      -- invited, not yet accepted
    UNIQUE (uid, sid)
);
CREATE INDEX sub_mods_sid ON sub_mods (sid);

CREATE TABLE sub_bans (
    id          bigserial PRIMARY KEY,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    sid         varchar(40) NOT NULL REFERENCES subs (sid) ON DELETE CASCADE,
    created     timestamptz NOT NULL DEFAULT now(),
    reason      varchar(128) NOT NULL DEFAULT '',
    expires     timestamptz,                         -- none: permanent
    effective   boolean NOT NULL DEFAULT true,
    created_by  varchar(40) REFERENCES users (uid) ON DELETE SET NULL
);
CREATE INDEX sub_bans_uid_sid ON sub_bans (uid, sid);

CREATE TABLE sub_subscribers (
    xid         bigserial PRIMARY KEY,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    sid         varchar(40) NOT NULL REFERENCES subs (sid) ON DELETE CASCADE,
    status      smallint NOT NULL,                   -- 1 subscribed, 2 blocked
    "order"     integer,                             -- place in the top bar
    time        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (uid, sid)
);
CREATE INDEX sub_subscribers_sid ON sub_subscribers (sid);

-- Throat's hot rank: a point of score is worth 30,000 seconds (8.3 hours) of age. IMMUTABLE so
-- that listings can use an index on it: the epoch of a timestamptz does not depend on the zone.
CREATE FUNCTION hot_rank(score integer, posted timestamptz) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN score * 20 + (extract(epoch FROM posted)::double precision - 1134028003) / 1500;

CREATE TABLE sub_posts (
    pid         bigserial PRIMARY KEY,
    sid         varchar(40) NOT NULL REFERENCES subs (sid) ON DELETE CASCADE,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    title       varchar(255) NOT NULL CHECK (length(btrim(title)) >= 3),
    content     text NOT NULL DEFAULT '' CHECK (length(content) <= 65535),
    link        varchar(255),
    ptype       smallint NOT NULL DEFAULT 0,         -- 0 text, 1 link or upload, 3 poll
    nsfw        boolean NOT NULL DEFAULT false,
    posted      timestamptz NOT NULL DEFAULT now(),
    edited      timestamptz,
    deleted     smallint NOT NULL DEFAULT 0,         -- 1 by the author, 2 by a mod, 3 by an admin
    distinguish smallint,                            -- 1 mod, 2 admin
    score       integer NOT NULL DEFAULT 0,
    upvotes     integer NOT NULL DEFAULT 0,
    downvotes   integer NOT NULL DEFAULT 0,
    comments    integer NOT NULL DEFAULT 0,
    thumbnail   varchar(255) NOT NULL DEFAULT '',
    flair       varchar(25)
);
CREATE INDEX sub_posts_new ON sub_posts (sid, pid DESC);
CREATE INDEX sub_posts_hot ON sub_posts (hot_rank(score, posted) DESC);
CREATE INDEX sub_posts_sub_hot ON sub_posts (sid, hot_rank(score, posted) DESC);
CREATE INDEX sub_posts_top ON sub_posts (score DESC);
CREATE INDEX sub_posts_sub_top ON sub_posts (sid, score DESC);
CREATE INDEX sub_posts_posted ON sub_posts (posted);
CREATE INDEX sub_posts_link ON sub_posts (link);
CREATE INDEX sub_posts_uid ON sub_posts (uid, pid DESC);

CREATE TABLE sub_post_metadata (
    xid         bigserial PRIMARY KEY,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    key         varchar(255) NOT NULL,
    value       text NOT NULL DEFAULT ''
);
CREATE INDEX sub_post_metadata_pid_key ON sub_post_metadata (pid, key);

CREATE TABLE sub_post_votes (
    xid         bigserial PRIMARY KEY,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    positive    boolean NOT NULL,
    datetime    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pid, uid)                                -- one vote per user and post
);
CREATE INDEX sub_post_votes_uid ON sub_post_votes (uid, datetime);

CREATE TABLE sub_post_comments (
    cid         varchar(40) PRIMARY KEY,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    parentcid   varchar(40) REFERENCES sub_post_comments (cid) ON DELETE CASCADE,
    content     text NOT NULL CHECK (length(content) BETWEEN 1 AND 16384),
    time        timestamptz NOT NULL DEFAULT now(),
    lastedit    timestamptz,
    score       integer NOT NULL DEFAULT 0,
    upvotes     integer NOT NULL DEFAULT 0,
    downvotes   integer NOT NULL DEFAULT 0,
    best_score  double precision NOT NULL DEFAULT 0,
    views       integer NOT NULL DEFAULT 0,
    status      smallint NOT NULL DEFAULT 0,         -- 1 by the author, 2 by a mod, 3 by an admin
    distinguish smallint
);
CREATE INDEX sub_post_comments_pid ON sub_post_comments (pid);
CREATE INDEX sub_post_comments_parent ON sub_post_comments (parentcid);
CREATE INDEX sub_post_comments_uid ON sub_post_comments (uid, time DESC);
CREATE INDEX sub_post_comments_time ON sub_post_comments (time);

CREATE TABLE sub_post_comment_votes (
    xid         bigserial PRIMARY KEY,
    cid         varchar(40) NOT NULL REFERENCES sub_post_comments (cid) ON DELETE CASCADE,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    positive    boolean NOT NULL,
    datetime    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cid, uid)
);
CREATE INDEX sub_post_comment_votes_uid ON sub_post_comment_votes (uid, datetime);

CREATE TABLE sub_post_comment_views (
    id          bigserial PRIMARY KEY,
    cid         varchar(40) NOT NULL REFERENCES sub_post_comments (cid) ON DELETE CASCADE,
    uid         varchar(40) NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    UNIQUE (cid, uid)
);

CREATE TABLE sub_post_content_history (
    id          bigserial PRIMARY KEY,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    content     text NOT NULL,
    datetime    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sub_post_title_history (
    id          bigserial PRIMARY KEY,
    pid         bigint NOT NULL REFERENCES sub_posts (pid) ON DELETE CASCADE,
    title       text NOT NULL,
    datetime    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sub_post_comment_history (
    id          bigserial PRIMARY KEY,
    cid         varchar(40) NOT NULL REFERENCES sub_post_comments (cid) ON DELETE CASCADE,
    content     text NOT NULL,
    datetime    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sub_post_content_history_pid ON sub_post_content_history (pid);
CREATE INDEX sub_post_title_history_pid ON sub_post_title_history (pid);
CREATE INDEX sub_post_comment_history_cid ON sub_post_comment_history (cid);
