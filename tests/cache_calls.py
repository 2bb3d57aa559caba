"""Counting round trips to a cache, as ``django_assert_num_queries`` counts
queries."""


def count_round_trips(cache, monkeypatch, methods=("get", "get_many", "set")):
    """Record each call of ``methods`` on ``cache`` in the returned list; a
    call made inside another (a backend's get_many calling get) is part of
    the same round trip and not recorded again."""
    calls, depth = [], [0]

    def counted(name, real):
        def call(*args, **kwargs):
            if not depth[0]:
                calls.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return call

    for method in methods:
        monkeypatch.setattr(cache, method, counted(method, getattr(cache, method)))
    return calls


def record_writes(cache, monkeypatch):
    """Record the value of each ``set`` on ``cache`` in the returned list,
    as the cache keeps it: its size is what a reader's request costs the
    shared cache."""
    written = []
    real = cache.set

    def recorded(key, value, *args, **kwargs):
        written.append(value)
        return real(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", recorded)
    return written
