-- The example contract's resolution rule, written by hand in DuckDB SQL: the
-- anchor that the library's DuckDB engine is measured against (benchmarks/sql.py)
-- and checked against (tests/test_sql_engine.py). Written apart from
-- ResolutionRule.to_sql, the other way round: a self-join bounded by the
-- window instead of window functions.
--
-- The rule (examples/contract.toml): 48 h window, same customer and topic, any
-- channel; escalated contacts never bill; CSAT below 4 never bills; pro rata
-- units rounded half up to 4 places. October 2026 in Dubai time (UTC+04:00).
--
-- {log} is replaced by a table expression such as read_csv('log.csv').
WITH
log AS (
  SELECT id, customer_id, escalated = 'true' AS escalated, confirmed,
         CAST(NULLIF(csat, '') AS INTEGER) AS csat,
         epoch_us(CAST(started_at AS TIMESTAMPTZ)) AS start_us,
         epoch_us(CAST(ended_at AS TIMESTAMPTZ)) AS end_us,
         list_distinct(list_transform(string_split(topics, ';'), lambda t: trim(t))) AS topics,
         CASE WHEN trim(resolved_topics) = '' THEN []
              ELSE list_distinct(list_transform(string_split(resolved_topics, ';'), lambda t: trim(t)))
         END AS resolved
  FROM {log}
),
cutoff AS (SELECT GREATEST(MAX(start_us), MAX(end_us)) AS at_us FROM log),
mention AS (SELECT id, customer_id, start_us, unnest(topics) AS topic FROM log),
-- A resolved topic is voided by any contact of the same customer on that
-- topic starting strictly after the contact and at most 48 h after its end.
resolved AS (SELECT id, customer_id, start_us, end_us, unnest(resolved) AS topic FROM log),
voided AS (
  SELECT a.id, count(DISTINCT a.topic) AS voided
  FROM resolved AS a
  JOIN mention AS b
    ON b.customer_id = a.customer_id AND b.topic = a.topic
   AND b.start_us > a.start_us AND b.start_us <= a.end_us + CAST(172800000000 AS BIGINT)
  GROUP BY a.id
),
judged AS (
  SELECT log.*, len(resolved) - COALESCE(voided.voided, 0) AS left_topics,
         escalated OR confirmed = 'false' OR COALESCE(csat < 4, FALSE) AS vetoed
  FROM log LEFT JOIN voided USING (id)
),
units AS (
  SELECT *,
         -- left / all, half up to 4 places, in whole ten-thousandths (no float)
         CASE WHEN vetoed OR left_topics = 0 THEN 0
              ELSE (left_topics * 20000 + len(topics)) // (2 * len(topics))
         END * 0.0001 AS provisional,
         (SELECT at_us FROM cutoff) < end_us + CAST(172800000000 AS BIGINT) AS window_open
  FROM judged
)
SELECT count(*) AS contacts,
       count(*) FILTER (WHERE escalated) AS escalated,
       count(*) FILTER (WHERE provisional > 0 AND NOT window_open) AS billable_interactions,
       CAST(sum(provisional) FILTER (WHERE NOT window_open) AS DECIMAL(38, 4)) AS billable_units,
       count(*) FILTER (WHERE provisional > 0 AND window_open) AS pending
FROM units
WHERE end_us >= epoch_us(TIMESTAMPTZ '2026-10-01 00:00:00+04:00')
  AND end_us < epoch_us(TIMESTAMPTZ '2026-11-01 00:00:00+04:00')
