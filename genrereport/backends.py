"""Where the parallel steps run: joblib's own workers on this machine, or a Dask cluster.

Every parallel step of the analyses (the forests' trees, the searches' candidates, xgboost's
candidates) goes through joblib, so a backend is a `joblib.parallel_config` around each stage:
the same calls, the same seeds, the same trees, wherever they run. joblib's configuration is
per thread, so the scheduler enters it in each stage's thread.

With `--backend dask`, `session` connects to the scheduler at `--scheduler ADDRESS`, or starts
a local cluster on 127.0.0.1 (one single-threaded worker per core) when none is given.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

from genrereport.errors import GenreReportError

BACKENDS = ("local", "dask")
DASK_INSTALL = "pip install 'genrereport[dask]'"
# How long to wait for a cluster's scheduler to answer before giving up with an error.
CONNECT_SECONDS = 30


class BackendError(GenreReportError):
    """The backend cannot be used: not installed, or its scheduler does not answer."""


@contextmanager
def session(settings):
    """The build's settings with its backend's client (Dask) attached; the client and any local
    cluster it started are closed when the build ends."""
    if settings.backend == "local":
        yield settings
        return
    if settings.backend != "dask":
        raise BackendError(f"--backend {settings.backend}: not one of {', '.join(BACKENDS)}")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise BackendError(f"--backend dask needs Dask's distributed scheduler ({DASK_INSTALL})"
                           ) from None
    cluster = None
    try:
        if settings.scheduler:
            client = Client(settings.scheduler, timeout=CONNECT_SECONDS)
        else:
            cluster = LocalCluster(n_workers=settings.n_jobs, threads_per_worker=1,
                                   host="127.0.0.1", dashboard_address=None, processes=True)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = settings.scheduler or "a local cluster"
        raise BackendError(f"--backend dask: cannot reach {where} ({exc})") from None
    try:
        yield settings.with_(client=client)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def stage_backend(settings):
    """joblib's configuration for one stage's thread: nothing for the local backend, the Dask
    client's cluster for Dask."""
    if settings.backend != "dask" or settings.client is None:
        return nullcontext()
    from joblib import parallel_config

    return parallel_config(backend="dask", client=settings.client)
