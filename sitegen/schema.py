"""The normalized tables every input format becomes, as Frictionless Table Schemas."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("active", "suspended", "deleted", "unknown")
KINDS = ("retweet", "reply", "quote")
ROLES = ("diplomat", "embassy", "state_media", "amplifier", "other")


@dataclass(frozen=True)
class Field:
    """One column of a normalized table."""

    name: str
    type: str  # Frictionless type: string, integer, number, boolean, datetime, date
    required: bool = False
    enum: tuple[str, ...] | None = None
    description: str = ""

    def descriptor(self) -> dict[str, object]:
        """The Frictionless field descriptor."""
        out: dict[str, object] = {"name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        constraints: dict[str, object] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class TableSchema:
    """A normalized table: its fields, primary key and foreign keys."""

    name: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (field, table, field)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def descriptor(self) -> dict[str, object]:
        """The Frictionless Table Schema descriptor."""
        return {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {"fields": field, "reference": {"resource": table, "fields": ref}}
                for field, table, ref in self.foreign_keys
            ],
        }


ACCOUNTS = TableSchema(
    "accounts",
    (
        Field("account_id", "string", required=True, description="platform id, kept as a string"),
        Field("handle", "string", required=True),
        Field("display_name", "string"),
        Field("role", "string", required=True, enum=ROLES),
        Field("country", "string"),
        Field("created_at", "datetime"),
        Field("followers", "integer"),
        Field("followers_recorded_at", "datetime"),
        Field("status", "string", required=True, enum=STATUSES),
        Field("status_checked_at", "datetime"),
        Field("network", "string", description="name of a coordinated network, or empty"),
        Field("label", "string", description="platform label, e.g. government or state-affiliated media"),
        Field("description", "string"),
    ),
    ("account_id",),
)

POSTS = TableSchema(
    "posts",
    (
        Field("post_id", "string", required=True),
        Field("author_id", "string", required=True),
        Field("created_at", "datetime", required=True),
        Field("text", "string"),
    ),
    ("post_id",),
    (("author_id", "accounts", "account_id"),),
)

ENGAGEMENTS = TableSchema(
    "engagements",
    (
        Field("engagement_id", "string", required=True),
        Field("kind", "string", required=True, enum=KINDS),
        Field("engager_id", "string", required=True),
        Field("post_id", "string", required=True),
        Field("target_author_id", "string", required=True),
        Field("created_at", "datetime", required=True),
    ),
    ("engagement_id",),
    (
        ("engager_id", "accounts", "account_id"),
        ("post_id", "posts", "post_id"),
        ("target_author_id", "accounts", "account_id"),
    ),
)

STATUS_CHECKS = TableSchema(
    "status_checks",
    (
        Field("account_id", "string", required=True),
        Field("status", "string", required=True, enum=STATUSES),
        Field("checked_at", "datetime", required=True),
    ),
    ("account_id", "checked_at"),
    (("account_id", "accounts", "account_id"),),
)

TABLES: dict[str, TableSchema] = {t.name: t for t in (ACCOUNTS, POSTS, ENGAGEMENTS, STATUS_CHECKS)}
