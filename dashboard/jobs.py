"""Builds started from the app, run in the background and polled by the pages.

A build takes from seconds to minutes, longer than a script run should: a click or a
page switch would cancel it half way. So :class:`BuildJobs` runs each build in a
thread of its own and the pages only read its progress (``st.fragment`` with
``run_every``). There is at most one build per session and at most ``max_running``
on the server at once; a further request is refused with a clear message rather than
queued. Each job owns the temporary folder of its uploaded files and removes it when
the build ends, whatever the outcome.

Nothing here imports Streamlit: :func:`dashboard.session` holds the one registry
per server process (``st.cache_resource``) and draws it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from recommender.errors import RecommenderError

BuildFunction = Callable[[Callable[[float, str], None]], None]


@dataclass
class BuildJob:
    """One build: where it writes, how far it is, and how it ended."""

    session: str
    name: str
    folder: Path
    started: float = field(default_factory=time.time)
    fraction: float = 0.0
    message: str = "Starting the build…"
    state: str = "running"  # running, done or failed
    error: str = ""
    ended: float | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"


class BuildRefused(RecommenderError, ValueError):
    """A build cannot start now (one is running for this session, or the server is busy)."""


class BuildJobs:
    """The builds of one server process, by session id."""

    def __init__(self, max_running: int = 2) -> None:
        if max_running < 1:
            raise ValueError("max_running must be >= 1")
        self.max_running = max_running
        self._jobs: dict[str, BuildJob] = {}
        self._lock = threading.Lock()

    def job(self, session: str) -> BuildJob | None:
        """The session's latest build (running or ended), if any."""
        with self._lock:
            return self._jobs.get(session)

    def running(self) -> list[BuildJob]:
        with self._lock:
            return [job for job in self._jobs.values() if job.running]

    def busy_folders(self) -> set[Path]:
        """Folders being written now (cleaning up must leave them alone)."""
        return {job.folder for job in self.running()}

    def start(
        self,
        session: str,
        name: str,
        folder: Path,
        run: BuildFunction,
        *,
        cleanup: Path | None = None,
        reword: Callable[[str], str] = str,
    ) -> BuildJob:
        """Start ``run(progress)`` in a background thread for ``session``.

        ``cleanup`` is a folder removed when the build ends (the uploaded files);
        ``reword`` turns an error message into what the visitor sees. Raises
        :class:`BuildRefused` if the session has a build running or ``max_running``
        builds are running.
        """
        with self._lock:
            current = self._jobs.get(session)
            if current is not None and current.running:
                if cleanup is not None:
                    shutil.rmtree(cleanup, ignore_errors=True)
                raise BuildRefused(f"a build of {current.name} is already running for you; wait for it to finish")
            if sum(job.running for job in self._jobs.values()) >= self.max_running:
                if cleanup is not None:
                    shutil.rmtree(cleanup, ignore_errors=True)
                raise BuildRefused(
                    f"{self.max_running} build(s) are running on this server, the most it runs at once; "
                    "try again in a minute"
                )
            job = BuildJob(session=session, name=name, folder=folder)
            self._jobs[session] = job
        thread = threading.Thread(
            target=self._run, args=(job, run, cleanup, reword), name=f"build-{name}"[:60], daemon=True
        )
        thread.start()
        return job

    def forget(self, session: str) -> None:
        """Drop the session's ended job (after its outcome was shown)."""
        with self._lock:
            job = self._jobs.get(session)
            if job is not None and not job.running:
                del self._jobs[session]

    @staticmethod
    def _run(job: BuildJob, run: BuildFunction, cleanup: Path | None, reword: Callable[[str], str]) -> None:
        def progress(fraction: float, message: str) -> None:
            job.fraction = min(max(float(fraction), 0.0), 1.0)
            job.message = message

        try:
            run(progress)
        except RecommenderError as exc:
            job.error = reword(str(exc))
        except OSError as exc:  # the uploads folder is not writable, the disk is full...
            job.error = reword(f"{exc.filename or job.folder}: cannot write the build ({exc.strerror or exc})")
        except MemoryError:
            job.error = "the build ran out of memory; try a smaller catalog or skip the maps"
        except Exception as exc:  # noqa: BLE001 - a background thread has no one else to tell
            job.error = reword(f"the build failed unexpectedly ({type(exc).__name__}: {exc})")[:500]
        finally:
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
            job.ended = time.time()
            job.state = "failed" if job.error else "done"
            if not job.error:
                job.fraction, job.message = 1.0, "Built"
