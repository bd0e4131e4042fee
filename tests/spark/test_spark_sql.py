"""The rule compiled for Spark SQL, run by Spark in local mode, agrees with `decide`.

Run by `make test-spark` (it installs pyspark; Spark needs a Java 17+ runtime),
never by `make test`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T  # noqa: N812 -- Spark's own convention

from resolutionpricing import Interaction, ResolutionRule, read_interactions
from sql_reference import account_of, expected_decisions, expected_usage, us

START = datetime(2026, 10, 1, tzinfo=UTC)
SCHEMA = T.StructType(
    [
        T.StructField("account_id", T.StringType()),
        T.StructField("id", T.StringType(), nullable=False),
        T.StructField("customer_id", T.StringType(), nullable=False),
        T.StructField("conversation_id", T.StringType(), nullable=False),
        T.StructField("channel", T.StringType(), nullable=False),
        T.StructField("start_us", T.LongType(), nullable=False),
        T.StructField("end_us", T.LongType(), nullable=False),
        T.StructField("topics", T.ArrayType(T.StringType())),
        T.StructField("resolved_topics", T.ArrayType(T.StringType())),
        T.StructField("escalated", T.BooleanType(), nullable=False),
        T.StructField("confirmed", T.BooleanType()),
        T.StructField("csat", T.IntegerType()),
    ]
)
OCTOBER = (
    "2026-10",
    us(datetime(2026, 9, 30, 20, tzinfo=UTC)),  # Dubai's October, in UTC
    us(datetime(2026, 10, 31, 20, tzinfo=UTC)),
)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One local Spark, on the loopback interface, without its web UI."""
    session = (
        SparkSession.builder.master("local[2]")
        .appName("resolutionpricing-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _register(spark: SparkSession, rows: Sequence[Interaction]) -> None:
    canonical = [
        (
            account_of(row),
            row.id,
            row.customer_id,
            row.conversation_id,
            row.channel,
            us(row.started_at),
            us(row.ended_at),
            sorted(row.topics),
            sorted(row.resolved_topics),
            row.escalated,
            row.confirmed,
            row.csat,
        )
        for row in rows
    ]
    spark.createDataFrame(canonical, SCHEMA).createOrReplaceTempView("contacts")


def _generated(seed: int, count: int) -> list[Interaction]:
    """A log of three accounts with few customers, so re-contacts and ties on start abound."""
    chance = random.Random(seed)  # noqa: S311 -- test data, not secrets
    rows = []
    for number in range(count):
        account = chance.choice([None, "acme", "globex"])
        topics = chance.sample(["a", "b", "c"], chance.randint(1, 3))
        start = START + timedelta(minutes=chance.randrange(0, 40 * 24 * 60, 7))
        rows.append(
            Interaction(
                id=f"c{number}",
                customer_id=f"u{chance.randrange(12)}",
                conversation_id=f"k{chance.randrange(30)}",
                channel=chance.choice(["chat", "email"]),
                started_at=start,
                ended_at=start + timedelta(minutes=chance.choice([0, 5, 90])),
                topics=topics,
                resolved_topics=chance.sample(topics, chance.randint(0, len(topics))),
                escalated=chance.random() < 0.2,
                confirmed=chance.choice([None, True, False]),
                csat=chance.choice([None, 1, 2, 3, 4, 5]),
                attributes={} if account is None else {"account_id": account},
            )
        )
    return rows


RULES = [
    ResolutionRule(recontact_window="48h", partial="pro_rata"),
    ResolutionRule(
        recontact_window="24h", recontact_scope="same_conversation", partial="per_topic"
    ),
    ResolutionRule(
        recontact_window="0s", recontact_scope="any_topic", cross_channel=False, partial="any"
    ),
    ResolutionRule(
        recontact_window="72h",
        cross_channel=False,
        exclude_escalated=False,
        require_confirmation=True,
        min_csat=4,
    ),
]


def _collected(spark: SparkSession, sql: str) -> list[dict[str, Any]]:
    return [row.asDict(recursive=True) for row in spark.sql(sql).collect()]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.recontact_scope.value)
def test_spark_agrees_with_decide_on_a_generated_log(
    spark: SparkSession, rule: ResolutionRule
) -> None:
    """Three accounts, ties on start, two periods: Spark's decisions and usage are decide's."""
    rows = _generated(seed=9, count=1000)
    _register(spark, rows)
    as_of = START + timedelta(days=20, hours=3)
    periods = [
        ("p1", us(START), us(START + timedelta(days=10))),
        ("p2", us(START + timedelta(days=10)), us(START + timedelta(days=30))),
    ]
    options: dict[str, Any] = {"dialect": "spark", "as_of_us": us(as_of), "periods": periods}
    got = {
        (row.pop("account_id"), row.pop("interaction_id")): row
        for row in _collected(spark, rule.to_sql("contacts", **options))
    }
    expected = expected_decisions(rule, rows, as_of=as_of, periods=periods)
    assert got == expected
    usage = {
        (row.pop("account_id"), row.pop("period")): row
        for row in _collected(
            spark, rule.to_sql("contacts", output="usage", pause_limit=Decimal(40), **options)
        )
    }
    assert usage == expected_usage(expected, Decimal(40))


def test_spark_agrees_with_decide_on_the_example_log(spark: SparkSession) -> None:
    """The example contract's rule over the example log, October in Dubai time, default cutoff."""
    rule = ResolutionRule(recontact_window="48h", partial="pro_rata", min_csat=3)
    rows = read_interactions("examples/interactions.csv")
    _register(spark, rows)
    got = {
        (row.pop("account_id"), row.pop("interaction_id")): row
        for row in _collected(spark, rule.to_sql("contacts", dialect="spark", periods=[OCTOBER]))
    }
    expected = expected_decisions(rule, rows, as_of=None, periods=[OCTOBER])
    assert got == expected
