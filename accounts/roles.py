"""The staff roles and exactly what each may do (PRODUCT.md §2 and §5).

Readers are anonymous and never log in. Every member of staff belongs to one
of these groups, kept in step with this table by ``manage.py setup_roles``.
"""

CRUD = ("add", "change", "delete", "view")

RECORD_MODELS = (
    "organisation",
    "system",
    "partnership",
    "participant",
    "partnershipsystem",
    "source",
    "bloc",
    "blocmembership",
    "alias",
    "externalidentifier",
    "tag",
)
ENTITY_MODELS = ("country", "bloc", "organisation", "system", "partnership", "tag")


def _perms(app: str, models: tuple[str, ...], actions: tuple[str, ...]) -> set[str]:
    return {f"{app}.{action}_{model}" for model in models for action in actions}


ROLES: dict[str, set[str]] = {
    # Write drafts and submit them for review; never publish. The admin and
    # the services limit them to their own articles, and to drafts.
    "Contributors": {
        *_perms("articles", ("article",), ("add", "change", "view")),
        *_perms("articles", ("articleentitylink",), CRUD),
        *_perms("partnerships", ENTITY_MODELS, ("view",)),
        "partnerships.view_entity",
    },
    # Write, review and publish articles, and decide their links to records;
    # look up records and authors to credit and link them, without changing
    # the records.
    "Editors": {
        *_perms("articles", ("article", "articleentitylink"), CRUD),
        "articles.publish_article",
        *_perms("partnerships", ENTITY_MODELS, ("view",)),
        "partnerships.view_entity",
        "accounts.view_user",
    },
    # Curate the records and their tags. Countries come from ISO and may be
    # corrected (aliases, regions) but not created or deleted. Articles are
    # visible, so researchers can see where a record is used.
    "Researchers": {
        *_perms("partnerships", RECORD_MODELS, CRUD),
        "partnerships.view_country",
        "partnerships.change_country",
        "articles.view_article",
        "articles.view_articleentitylink",
        # The importers' findings: runs are read-only, issues get resolved.
        "datasets.view_importrun",
        "datasets.view_dataissue",
        "datasets.change_dataissue",
    },
}
