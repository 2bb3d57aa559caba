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
        # Upload pictures and describe their own (images/permissions.py).
        *_perms("images", ("image",), ("add", "change", "view")),
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
        # The picture library: delete only what no article shows.
        *_perms("images", ("image",), CRUD),
        *_perms("partnerships", ENTITY_MODELS, ("view",)),
        "partnerships.view_entity",
        "accounts.view_user",
        # A new topic while writing (the "+" beside Topics); researchers
        # curate topics (rename, merge, delete).
        "partnerships.add_tag",
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


# --- The role table -----------------------------------------------------------
#
# What each role may do in the admin, model by model, follows from ROLES
# above: "view", "add", "change" and "delete" from the model permissions, and
# "publish" from ``articles.publish_article``. Three rules narrow it:
#
# - Contributors see only the articles they wrote, and change them only while
#   they are drafts (articles/permissions.py);
# - the entity look-up (``partnerships.entity``) answers autocompletes and
#   nothing else, and import runs are kept as they ran: nobody adds, changes
#   or deletes either;
# - sign-in attempts (django-axes) are added by signing in, and data issues by
#   the importers, never by hand.
#
# Superusers may do everything else; staff without a role, nothing; readers
# never reach the admin. django-simple-history's record "revert" form is off
# for everyone (SIMPLE_HISTORY_REVERT_DISABLED). tests/test_admin_role_matrix.py
# asks every admin URL, as every role, by GET and by POST, whether the admin
# answers as this table says; the README prints the table (role_table_markdown).

VERBS = ("view", "add", "change", "delete", "publish")
# Seen, never changed, from the admin: the entity look-up answers
# autocompletes; an import run is kept as it ran.
READ_ONLY = frozenset({"partnerships.entity", "datasets.importrun"})
# Made by something other than a person with a form, never added by hand:
# sign-in attempts (django-axes) by signing in, a superuser lifting a lock by
# deleting its attempt; data issues by the importers, people resolving them.
NOT_ADDED_BY_HAND = frozenset(
    {
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
        "datasets.dataissue",
    }
)
CONTRIBUTORS = "Contributors"
EDITORS = "Editors"


def verbs_for(permissions: set[str], model_label: str) -> set[str]:
    """The verbs ``permissions`` (``app.codename`` strings) allow on the model
    ``app.model``."""
    app_label, model_name = model_label.split(".")
    verbs = {
        verb
        for verb in ("view", "add", "change", "delete")
        if f"{app_label}.{verb}_{model_name}" in permissions
    }
    if f"{app_label}.publish_{model_name}" in permissions:
        verbs.add("publish")
    if model_label in READ_ONLY:
        verbs &= {"view"}
    if model_label in NOT_ADDED_BY_HAND:
        verbs.discard("add")
    return verbs


def role_table() -> list[tuple[str, dict[str, set[str]]]]:
    """(model label, {role: verbs}) for every model registered in the admin."""
    from django.contrib import admin

    rows = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label_lower):
        label = model._meta.label_lower
        rows.append((label, {role: verbs_for(ROLES[role], label) for role in ROLES}))
    return rows


# What the table's verbs alone do not say (articles/permissions.py,
# images/permissions.py).
NOTES = {
    (CONTRIBUTORS, "articles.article"): " (own; change while draft)",
    (
        CONTRIBUTORS,
        "images.image",
    ): " (change own uploads while only their drafts show them)",
    (EDITORS, "images.image"): " (delete only pictures no article shows)",
}


def role_table_markdown() -> str:
    """The role table as the README shows it."""
    roles = sorted(ROLES)
    lines = [
        "| Admin model | " + " | ".join(roles) + " |",
        "| --- |" + " --- |" * len(roles),
    ]
    for label, verbs in role_table():
        cells = []
        for role in roles:
            allowed = [verb for verb in VERBS if verb in verbs[role]]
            text = ", ".join(allowed) or "—"
            if allowed:
                text += NOTES.get((role, label), "")
            cells.append(text)
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
