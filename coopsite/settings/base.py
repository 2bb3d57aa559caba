"""Settings shared by every environment.

Everything that differs between machines is read from the environment, with a
safe local default where one exists. ``production.py`` removes the defaults
that are only safe on a developer's machine.
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


class Env(environ.Env):
    """django-environ's reader, saying which variable could not be read
    (``int("ten")`` alone names none) and refusing a database address it
    cannot read (a ``KeyError: 'ENGINE'`` later)."""

    def get_value(
        self, var, cast=None, default=environ.Env.NOTSET, parse_default=False
    ):
        try:
            return super().get_value(var, cast, default, parse_default)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{var} could not be read ({error}): {self.ENVIRON.get(var)!r}"
            ) from None

    def db_url(
        self,
        var=environ.Env.DEFAULT_DATABASE_ENV,
        default=environ.Env.NOTSET,
        engine=None,
    ):
        config = super().db_url(var, default, engine)
        if not config.get("ENGINE"):
            raise ImproperlyConfigured(
                f"{var} is no database address this site reads: "
                f"{self.ENVIRON.get(var)!r} (postgres://user:password@host:5432/name, "
                "or sqlite:///path)"
            )
        return config

    db = db_url


env = Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
# The domain the feeds' entry ids are minted under (tag URIs); by default the
# first allowed host. Set it once and keep it: a new one makes every entry new.
COOPSITE_FEED_AUTHORITY = env.str("COOPSITE_FEED_AUTHORITY", default="")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "coopsite.apps.CoopsiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "accounts",
    "partnerships",
    "images",
    "articles",
    "search",
    "datasets",
    "backups",
    "freshness",
    "api",
]

MIDDLEWARE = [
    # Anonymous readers: ETag/Last-Modified, 304, and pages from the shared
    # cache. First: a page is kept with the headers the rest gave it (its
    # CSP with a new nonce for each reader) and served without them, also
    # by coopsite.wsgi in front of Django (freshness.wsgi).
    "freshness.middleware.PublicPageCacheMiddleware",
    "coopsite.middleware.PermissionsPolicyMiddleware",
    "coopsite.middleware.RefuseNullCharactersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Anonymous GETs read from the replica (if any), the rest from the primary.
    "coopsite.replicas.ReplicaRoutingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: refuses a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a login attempt while its username or address is locked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "coopsite.urls"
WSGI_APPLICATION = "coopsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "libraries": {
                "addresses": "coopsite.templatetags.addresses",
                "admin_choices": "coopsite.templatetags.admin_choices",
                "admin_dates": "coopsite.templatetags.admin_dates",
                "admin_rows": "coopsite.templatetags.admin_rows",
                "admin_sidebar": "coopsite.templatetags.admin_sidebar",
                "safety": "coopsite.templatetags.safety",
                "sitemap_xml": "coopsite.templatetags.sitemap_xml",
            },
        },
    },
]

# The embedded default is a SQLite file beside manage.py; production sets
# DATABASE_URL (postgres://...).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions
    # make concurrent writers queue on busy_timeout instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# PostgreSQL compiles a query to machine code (JIT) when its estimated cost
# is high, which a page's short queries over large tables reach: with
# 100,000 articles the partnership changelist's 11 ms query spent 41 ms more
# being compiled, on every request. The site's queries read a page of rows;
# none runs long enough to gain from it. DATABASE_JIT=true leaves the
# server's own setting.
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
# Likewise parallel query: starting workers for a page's query that reads ten
# rows of a large table cost more than the query (at 100,000 articles a
# record's "articles on this" took 26 ms with two workers, 6 ms without).
# DATABASE_PARALLEL_QUERY=true leaves the server's setting.
DATABASE_PARALLEL_QUERY = env.bool("DATABASE_PARALLEL_QUERY", default=False)


def _for_short_queries(database: dict) -> None:
    """The site's connections run short queries: no JIT, no parallel workers
    (each unless the settings above leave it to the server)."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return
    turned_off = []
    if not DATABASE_JIT:
        turned_off.append("-c jit=off")
    if not DATABASE_PARALLEL_QUERY:
        turned_off.append("-c max_parallel_workers_per_gather=0")
    if turned_off:
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join([options.get("options", ""), *turned_off]).strip()


_for_short_queries(DATABASES["default"])

# A PostgreSQL streaming replica (optional): anonymous readers' GETs read from
# it, editors and everything else from the primary (coopsite/replicas.py).
# Whoever wrote reads from the primary for DATABASE_REPLICA_PIN_SECONDS after,
# which must exceed the replica's lag.
if DATABASE_REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
    _for_short_queries(DATABASES["replica"])
COOPSITE_READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["coopsite.replicas.PrimaryReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)

# The site export's JSON keeps datetimes to the microsecond (backups/serializer.py).
SERIALIZATION_MODULES = {"sitejson": "backups.serializer"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# After signing in with no "next" (or one that leads off the site, refused):
# the admin, the only place staff sign in to.
LOGIN_REDIRECT_URL = "/admin/"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files (the picture library). By default a folder beside
# manage.py, served by Django itself only when COOPSITE_SERVE_MEDIA is on
# (it is while developing); in production point the web server at
# DJANGO_MEDIA_ROOT, or keep the files in S3-compatible object storage
# (COOPSITE_MEDIA_STORAGE=s3, see README "Pictures: where the files go"), which
# every app server behind a load balancer shares.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("DJANGO_MEDIA_URL", default="/media/")
COOPSITE_SERVE_MEDIA = env.bool("COOPSITE_SERVE_MEDIA", default=DEBUG)
COOPSITE_MEDIA_STORAGE = env.str("COOPSITE_MEDIA_STORAGE", default="filesystem")


def media_storage(kind: str) -> dict:
    """The ``default`` storage for uploads: ``filesystem`` or ``s3``."""
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env.str("COOPSITE_S3_BUCKET"),
                "endpoint_url": env.str("COOPSITE_S3_ENDPOINT_URL", default=None),
                "region_name": env.str("COOPSITE_S3_REGION", default=None),
                "access_key": env.str("COOPSITE_S3_ACCESS_KEY_ID", default=None),
                "secret_key": env.str("COOPSITE_S3_SECRET_ACCESS_KEY", default=None),
                "location": env.str("COOPSITE_S3_PREFIX", default=""),
                "addressing_style": env.str(
                    "COOPSITE_S3_ADDRESSING_STYLE", default=None
                ),
                # Pictures are public once published: plain addresses, which
                # a CDN (COOPSITE_S3_CUSTOM_DOMAIN) can cache.
                "custom_domain": env.str("COOPSITE_S3_CUSTOM_DOMAIN", default=None),
                "querystring_auth": env.bool("COOPSITE_S3_SIGNED_URLS", default=False),
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000"},
            },
        }
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"COOPSITE_MEDIA_STORAGE must be 'filesystem' or 's3', not {kind!r}."
    )


STORAGES = {
    "default": media_storage(COOPSITE_MEDIA_STORAGE),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Uploads: the most a picture may weigh and measure. A 60-megapixel
# picture is refused; 40 megapixels is a full-frame camera's.
COOPSITE_IMAGE_MAX_BYTES = env.int("COOPSITE_IMAGE_MAX_BYTES", default=25 * 1024 * 1024)
COOPSITE_IMAGE_MAX_PIXELS = env.int("COOPSITE_IMAGE_MAX_PIXELS", default=50_000_000)

# The cache every app process shares: Redis in production (CACHE_URL or
# REDIS_URL, e.g. redis://127.0.0.1:6379/0, through Django's own RedisCache),
# this process's memory on a developer's machine. The page cache, the data
# version's memo and the API's rate limit live here.
CACHE_URL = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
CACHES = {"default": env.cache_url_config(CACHE_URL or "locmemcache://coopsite")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's backend, with one Redis client per pool (coopsite/cache.py).
    CACHES["default"]["BACKEND"] = "coopsite.cache.RedisCache"
    CACHES["default"].setdefault(
        "KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="coopsite")
    )

# Conditional GET and the page cache for anonymous readers
# (freshness/middleware.py): on wherever DEBUG is off. Pages are filed under
# the data's version, so a change is seen at once by every process; the
# time below only bounds how long an unread page of an old version stays.
COOPSITE_PUBLIC_CACHE = env.bool("COOPSITE_PUBLIC_CACHE", default=not DEBUG)
COOPSITE_PAGE_CACHE = "default"
# A list's count, its facet counts and the home page's figures, kept in the
# shared cache per data version (freshness.versions.kept_for_version): on
# wherever DEBUG is off.
COOPSITE_KEEP_COUNTS = env.bool("COOPSITE_KEEP_COUNTS", default=not DEBUG)
# After a change, the counts beside a list's choices and the home page's
# figures are answered as they were last counted, if at most this many
# seconds ago, while one app process counts them again in the background:
# no reader waits for them (seconds at 100,000 articles). A list's own count
# and its rows are never older than the data. 0: counted again at once.
COOPSITE_STALE_COUNTS_SECONDS = env.int("COOPSITE_STALE_COUNTS_SECONDS", default=600)
# The keys a list's text finds are kept there too, packed (a word in nearly
# every one of 100,000 articles: a few KB); a text whose packed keys are
# bigger than this (scattered keys, hundreds of thousands) is looked up
# again on each request instead, so that what a reader types cannot fill
# the shared cache.
COOPSITE_FOUND_KEYS_MAX_BYTES = env.int(
    "COOPSITE_FOUND_KEYS_MAX_BYTES", default=64 * 1024
)
COOPSITE_PAGE_CACHE_SECONDS = env.int("COOPSITE_PAGE_CACHE_SECONDS", default=600)
COOPSITE_PAGE_CACHE_MAX_BYTES = env.int(
    "COOPSITE_PAGE_CACHE_MAX_BYTES", default=2 * 1024 * 1024
)
# The data version's memo (freshness.versions.cached_current): a committed
# change replaces it at once; this bounds it if the cache missed a change.
COOPSITE_FRESHNESS_CACHE = "default"
COOPSITE_FRESHNESS_MEMO_SECONDS = env.int(
    "COOPSITE_FRESHNESS_MEMO_SECONDS", default=300
)

MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.mail.backends.console.EmailBackend",
    },
}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="coopsite@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Django's built-in Content-Security-Policy: only this origin, and inline
# scripts only with the per-request nonce.
# Pictures may come from object storage or a CDN on another origin
# (COOPSITE_MEDIA_ORIGIN, e.g. https://media.example.org).
COOPSITE_MEDIA_ORIGIN = env.str("COOPSITE_MEDIA_ORIGIN", default="")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *filter(None, [COOPSITE_MEDIA_ORIGIN])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browser features no page of the site uses (coopsite.middleware).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Lockouts and failed logins are logged at WARNING.
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django": {
            "handlers": ["console"],
            "level": env.str("DJANGO_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

# coopsite's own settings
COOPSITE_ARTICLES_PER_PAGE = 20

# Logins that can't be guessed (django-axes): after 5 failures for one
# username, or from one address, within 15 minutes, the next attempt is
# refused until 15 minutes have passed without a failure. Attempts live in the
# database, so every app process sees them; a superuser lifts a lock by
# deleting its "access attempt" in the admin (or `manage.py axes_reset_username
# NAME`). The address is the connection's, or the trusted proxy's header
# (DJANGO_CLIENT_IP_HEADER, see coopsite/clients.py), never another header.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "coopsite.clients.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="")
# The addresses of the proxies in front (gunicorn's setting, read by both):
# only a request that comes from one of them may say, in its headers, which
# client and scheme it is for ("*": any, where nothing else can reach the
# app servers). See coopsite/clients.py.
TRUSTED_PROXIES = env.list("GUNICORN_FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])

# Record history is for reading: django-simple-history's revert form is off
# (coopsite.admin.ReadOnlyHistoryAdmin refuses a POST to it whatever the role).
SIMPLE_HISTORY_REVERT_DISABLED = True
# A record's history is read by the record (its id, its partnership, a former
# slug) and ordered by date there; nothing reads every record's history by
# date, so the date is not indexed on its own: every import writes a history
# row per record it creates or changes.
SIMPLE_HISTORY_DATE_INDEX = False

# How often the article form autosaves a working copy (seconds).
COOPSITE_AUTOSAVE_SECONDS = env.int("COOPSITE_AUTOSAVE_SECONDS", default=30)
# --- The read API (/api/v1/) -------------------------------------------------
# Read-only and public: no authentication (a logged-in editor sees what any
# reader sees), JSON only, every client limited per IP address.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.MarkupSafeJSONRenderer"],
    # Numbers as JSON numbers (trend-indicator values: 0.04, not "0.040"),
    # as the site's JSON download and the bulk downloads give them.
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "URL_FORMAT_OVERRIDE": None,  # one format: JSON
}
# Requests per client address; counted in the "default" cache, which must be
# shared by every app process (Redis via CACHE_URL in production).
COOPSITE_API_RATE_LIMIT = env.str("DJANGO_API_RATE_LIMIT", default="120/minute")
if COOPSITE_API_RATE_LIMIT and not re.fullmatch(
    r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", COOPSITE_API_RATE_LIMIT
):
    # Refused at start, not by every API request failing with a 500.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DJANGO_API_RATE_LIMIT must be requests per period, as 120/minute "
        f"(second, minute, hour or day), or empty for no limit; not "
        f"{COOPSITE_API_RATE_LIMIT!r}."
    )
COOPSITE_API_THROTTLE_CACHE = "default"
# Bulk downloads: where snapshots are written (a STORAGES alias) and how
# many dated ones are kept.
COOPSITE_SNAPSHOT_STORAGE = "default"
COOPSITE_SNAPSHOTS_KEPT = env.int("DJANGO_SNAPSHOTS_KEPT", default=5)
# A deploy's commit id; when empty, a hash of the source stands in (ETags).
COOPSITE_RELEASE = env.str("COOPSITE_RELEASE", default="")

# CORS: the API is public data, readable from any origin, GET only.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# The conditional request headers, so that a page of another site may
# revalidate what it read (If-None-Match → 304); nothing else (the API has
# no accounts, no forms and no bodies to send: no authorization, no CSRF
# token, no content type).
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_PREFLIGHT_MAX_AGE = 86400

SPECTACULAR_SETTINGS = {
    "TITLE": "coopsite API",
    "VERSION": "1",
    "DESCRIPTION": (
        "The partnership records and the published articles, read-only.\n\n"
        "* Lists are paginated by cursor: follow `next` and `previous`; "
        "`page_size` is 1 to 100 (default 20).\n"
        "* `fields=` keeps only the named fields of each item.\n"
        "* Every answer has an `ETag` and a `Last-Modified`; send them back "
        "(`If-None-Match`, `If-Modified-Since`) and an unchanged answer is "
        "`304 Not Modified`.\n"
        "* Each client address may make a limited number of requests a minute "
        "(see the README); past it the answer is `429` with `Retry-After`.\n"
        "* A parameter the API does not know, one given twice, or a bad value, "
        "is `400` with "
        "a message.\n"
        "* Every record at once: the bulk downloads listed at `/api/v1/`."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (nested controls
    # a screen reader cannot reach); each operation opens in place.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "PartnershipKindEnum": "partnerships.models.PartnershipKind",
        "PartnershipStatusEnum": "partnerships.models.PartnershipStatus",
        "OrganisationKindEnum": "partnerships.models.OrganisationKind",
        "EntityTypeEnum": "partnerships.models.EntityType",
        "DatePrecisionEnum": "partnerships.dates.DatePrecision",
    },
    # OpenAPI 3.1 (JSON Schema): a field that may be null says so in a way
    # every validator reads (3.0's "nullable" beside a $ref has no effect).
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.either_text_form",
    ],
}
# Addresses per page of a sitemap section (the protocol allows 50,000; a
# smaller page answers as fast as any other page of the site).
COOPSITE_SITEMAP_SIZE = env.int("COOPSITE_SITEMAP_SIZE", default=2000)
# A download stops (visibly: the transfer is cut short) after this long;
# keep it below the app server's worker timeout (gunicorn's is 30 s).
COOPSITE_EXPORT_SECONDS = env.float("COOPSITE_EXPORT_SECONDS", default=25.0)
