-- Seeds throat's database for the benchmark (bench/throat/run.sh): users, 20 subs (5 of them
-- defaults), :posts posts over the last 30 days with long-tailed scores, ~:comments comments
-- (threads included) and the posts' votes; the counters kept on rows (subs.posts,
-- subs.subscribers, sub_posts.comments, users.score) are consistent with the rows.
-- Usage: psql -v ON_ERROR_STOP=1 -v posts=10000 -v comments=30000 -v users=1000 -f seed.sql
-- Prints `bench_pid=<pid>`: a post of a default sub with exactly 50 comments.
-- Deterministic apart from the times (setseed).
SELECT setseed(0.42);
BEGIN;

CREATE TEMP TABLE words AS
SELECT string_to_array('the a of to and in is it you that he was for on are with as his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father server postgres kernel compiler rust python coffee garden bicycle weather election league guitar recipe telescope museum', ' ') AS w;
CREATE TEMP TABLE domains AS
SELECT string_to_array('example.com news.example.org blog.example.net video.example.com arxiv.example.org github.example.com images.example.net wiki.example.org', ' ') AS d;

-- ~200 markdown paragraphs of several kinds, which posts and comments are made of.
CREATE TEMP TABLE paras (id int PRIMARY KEY, body text NOT NULL);
INSERT INTO paras
SELECT i, CASE i % 7
    WHEN 0 THEN '- ' || s1 || E'\n- ' || s2 || E'\n- **' || s3 || '**'
    WHEN 1 THEN '> ' || s1 || E'\n\n' || s2
    WHEN 2 THEN s1 || ' [' || s3 || '](https://example.com/' || i || ') ' || s2
    WHEN 3 THEN E'```\n$ ' || s3 || E' --verbose\nerror: ' || s1 || E'\n```'
    WHEN 4 THEN '### ' || s3 || E'\n\n' || s1 || ' *' || s2 || '*'
    ELSE s1 || ' `' || s3 || '` ' || s2 || ' ' || s1
    END
FROM (SELECT i,
        (SELECT upper(left(t, 1)) || substr(t, 2) || '.'
           FROM (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ') AS t
                 FROM words, generate_series(1, 6 + i % 23) k) tt) AS s1,
        (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ') || '!'
           FROM words, generate_series(1, 4 + i % 11) k) AS s2,
        (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ')
           FROM words, generate_series(1, 2 + i % 3) k) AS s3
      FROM generate_series(1, 200) i) g;

-- Users: uids are UUIDs, names unique; the password hash is not a real one (nobody logs in
-- but the user made with `throat admin create`, which is left alone).
INSERT INTO users (uid, name, email, password, joindate)
SELECT md5('user' || n)::uuid::text,
       (string_to_array('quiet brave lucky sleepy witty grumpy happy shy bold calm', ' '))[1 + n % 10]
         || '_' || (string_to_array('otter falcon badger lynx heron moose gecko panda raven shark', ' '))[1 + (n / 10) % 10]
         || n,
       'user' || n || '@example.com',
       '$2b$12$' || md5('pw' || n) || md5('salt' || n),
       now() - interval '2 years' * random()
FROM generate_series(1, :users) n;

CREATE TEMP TABLE sub_names AS
SELECT n, name FROM unnest(string_to_array('news programming pics askthroat gaming music science movies books linux cooking worldnews sports history space art diy photography politics funny', ' '))
    WITH ORDINALITY AS t(name, n);
INSERT INTO subs (sid, name, title, sidebar, creation, subscribers)
SELECT md5('sub' || n)::uuid::text, name, initcap(name) || ': everything about ' || name,
       '## Rules' || E'\n\n1. Be civil.\n2. Stay on topic: **' || name || E'**.\n3. No spam.\n\n'
         || (SELECT body FROM paras WHERE id = 1 + n::int * 7 % 200),
       now() - interval '400 days' + interval '1 day' * n, 0
FROM sub_names;
INSERT INTO sub_mods (uid, sid, power_level)
SELECT md5('user' || n)::uuid::text, md5('sub' || n)::uuid::text, 0 FROM sub_names;
INSERT INTO sub_metadata (sid, key, value)
SELECT md5('sub' || n)::uuid::text, k, CASE WHEN k = 'mod' THEN md5('user' || n)::uuid::text ELSE '1' END
FROM sub_names, unnest(ARRAY['mod', 'allow_text_posts', 'allow_link_posts', 'allow_upload_posts']) k;
-- The anonymous front page shows the default subs.
INSERT INTO site_metadata (key, value)
SELECT 'default', md5('sub' || n)::uuid::text FROM sub_names WHERE n <= 5;
-- Each user subscribes to 0-5 subs, the popular ones more often; the bench user (if any) to the
-- defaults and two more.
INSERT INTO sub_subscribers (uid, sid, status, time)
SELECT DISTINCT ON (u, s) md5('user' || u)::uuid::text, md5('sub' || s)::uuid::text, 1,
       now() - interval '300 days' * random()
FROM (SELECT u, 1 + floor(20 * power(random(), 2))::int AS s
      FROM generate_series(1, :users) u, generate_series(1, (u % 6)) k) g;
INSERT INTO sub_subscribers (uid, sid, status)
SELECT u.uid, md5('sub' || n)::uuid::text, 1
FROM users u, generate_series(1, 7) n WHERE u.name = 'benchuser';

-- Posts, oldest first (pids grow with time), in the popular subs more often, by the active
-- users more often; scores from a long-tailed (Pareto) distribution, a few negative.
CREATE TEMP TABLE post_draws AS
SELECT n, 1 + floor(20 * power(random(), 1.8))::int AS sub_n,
       1 + floor(:users * power(random(), 2))::int AS user_n,
       CASE WHEN random() < 0.1 THEN -floor(random() * 6)::int
            ELSE least(floor(power(random(), -1.1))::int - 1, 5000) END AS score,
       random() AS r_kind, 2 + floor(power(random(), 1.5) * 22)::int AS title_words,
       floor(power(random(), 1.4) * 8)::int AS paras
FROM generate_series(1, :posts) n;
INSERT INTO sub_posts (pid, sid, uid, title, content, link, ptype, nsfw, posted, edited, deleted,
                       score, upvotes, downvotes, flair)
SELECT n, md5('sub' || sub_n)::uuid::text, md5('user' || user_n)::uuid::text,
       (SELECT upper(left(t, 1)) || substr(t, 2) || CASE WHEN n % 5 = 0 THEN '?' ELSE '' END
          FROM (SELECT string_agg(w[1 + (n * 7 + k * 13 + k * k) % array_length(w, 1)], ' ') AS t
                FROM words, generate_series(1, title_words) k) tt),
       CASE WHEN r_kind < 0.25 THEN ''
            ELSE coalesce((SELECT string_agg(body, E'\n\n' ORDER BY k) FROM generate_series(1, paras) k
                           JOIN paras ON id = 1 + (n * 31 + k * 17) % 200), '') END,
       CASE WHEN r_kind < 0.25 THEN 'https://' || d[1 + n % array_length(d, 1)] || '/' || n || '/'
                                  || w[1 + n % array_length(w, 1)] END,
       CASE WHEN r_kind < 0.25 THEN 1 ELSE 0 END,
       n % 50 = 0,
       now() - interval '30 days' * ((:posts - n)::float / :posts) - interval '5 minutes' * random(),
       CASE WHEN n % 17 = 0 THEN now() - interval '30 days' * ((:posts - n)::float / :posts) / 2 END,
       CASE WHEN n % 97 = 0 THEN 1 WHEN n % 211 = 0 THEN 2 ELSE 0 END,
       score, greatest(score, 0) + d0, greatest(-score, 0) + d0,
       CASE WHEN n % 9 = 0 THEN (string_to_array('Discussion News Question Meta OC', ' '))[1 + n % 5] END
FROM (SELECT *, floor(random() * (2 + abs(score) * 0.2))::int AS d0 FROM post_draws) p,
     words, domains;
SELECT setval('sub_posts_pid_seq', (SELECT max(pid) FROM sub_posts));

-- Votes behind the posts' scores (up to 60 a post), each by another user.
INSERT INTO sub_post_votes (pid, uid, positive, datetime)
SELECT p.pid, md5('user' || (1 + (p.pid * 37 + j) % :users))::uuid::text,
       j <= round(least(p.upvotes + p.downvotes, 60) * p.upvotes::float / (p.upvotes + p.downvotes)),
       p.posted + interval '1 hour' * random()
FROM sub_posts p, generate_series(1, least(p.upvotes + p.downvotes, 60, :users)) j
WHERE p.upvotes + p.downvotes > 0;

-- Comments: ~:comments over the posts, more on the high-scored ones (exponential draws times
-- 1 + ln(1 + score)); one post of the first default sub gets exactly 50 (the benchmark's post
-- page). Over half are replies to an earlier comment of the same post.
CREATE TEMP TABLE bench_post AS
SELECT max(pid) AS pid FROM sub_posts
WHERE sid = md5('sub1')::uuid::text AND deleted = 0 AND ptype = 0 AND pid <= :posts * 0.9;
CREATE TEMP TABLE comment_counts AS
SELECT pid, CASE WHEN pid = (SELECT pid FROM bench_post) THEN 50
                 ELSE round(:comments * wt / sum(wt) OVER ())::int END AS k
FROM (SELECT pid, -ln(1 - random()) * (1 + ln(1 + greatest(score, 0))) AS wt FROM sub_posts) w;
INSERT INTO sub_post_comments (cid, pid, uid, parentcid, content, time, lastedit, score, upvotes,
                               downvotes, best_score, status)
SELECT md5('c' || pid || '-' || i)::uuid::text, pid, md5('user' || user_n)::uuid::text,
       CASE WHEN i > 1 AND reply THEN md5('c' || pid || '-' || parent_i)::uuid::text END,
       coalesce((SELECT string_agg(body, E'\n\n' ORDER BY j) FROM generate_series(1, 1 + n_paras) j
                 JOIN paras ON id = 1 + (pid * 13 + i * 29 + j * 7) % 200), 'ok'),
       time, CASE WHEN i % 23 = 0 THEN time + interval '10 minutes' END,
       score, up, down,
       -- content::best_score(up, down, views) with views = 3 * (up + down)
       CASE WHEN score + 1 < 0 THEN -1 ELSE 1 END * ((pp + 1.9208 / nn - 1.96 * sqrt((pp * (1 - pp) + 0.9604 / nn) / nn))
                                / (1 + 3.8416 / nn)),
       CASE WHEN i % 101 = 0 THEN 1 WHEN i % 163 = 0 THEN 2 ELSE 0 END
FROM (SELECT *, least(abs(score + 1), nn) / nn AS pp
      FROM (SELECT *, greatest(3 * (up + down), 1)::float AS nn
            FROM (SELECT c.pid, i, random() < 0.6 AS reply, 1 + floor(random() * (i - 1))::int AS parent_i,
                         1 + floor(:users * power(random(), 1.5))::int AS user_n,
                         floor(power(random(), 2.5) * 3)::int AS n_paras,
                         p.posted + (now() - p.posted) * power(i::float / (c.k + 1), 2) AS time,
                         CASE WHEN random() < 0.15 THEN -floor(random() * 4)::int
                              ELSE least(floor(power(random(), -0.9))::int - 1, 800) END AS score,
                         floor(random() * 3)::int AS d0
                  FROM comment_counts c JOIN sub_posts p ON p.pid = c.pid,
                       generate_series(1, c.k) i) a,
                 LATERAL (SELECT greatest(a.score, 0) + a.d0 AS up, greatest(-a.score, 0) + a.d0 AS down) v) b) c;

-- The counters the listings show.
UPDATE sub_posts p SET comments = c.n
FROM (SELECT pid, count(*) AS n FROM sub_post_comments GROUP BY pid) c WHERE p.pid = c.pid;
UPDATE subs s SET posts = c.n FROM (SELECT sid, count(*) AS n FROM sub_posts GROUP BY sid) c
WHERE s.sid = c.sid;
UPDATE subs s SET subscribers = c.n
FROM (SELECT sid, count(*) AS n FROM sub_subscribers WHERE status = 1 GROUP BY sid) c
WHERE s.sid = c.sid;
UPDATE users u SET score = c.s FROM (SELECT uid, sum(score) AS s FROM sub_posts GROUP BY uid) c
WHERE u.uid = c.uid;

SELECT 'bench_pid=' || pid FROM bench_post;
COMMIT;
VACUUM ANALYZE;
