"""Stubs of the native module ``anchor_deploy._anchor`` (PyO3).

Every method returns an awaitable whose result is the core's JSON; the
pure-Python layer turns it into typed records. Checked by ``mypy.stubtest``.
"""

from typing import Awaitable, Callable, Dict, List, Mapping, Optional, Tuple

from typing_extensions import final

__all__ = ["Anchor", "LocalEdge", "ERROR_CODES", "ERROR_FIELDS", "_raise_core_error", "_panic_in_future", "_call_from_runtime", "_close"]

ERROR_CODES: List[str]
ERROR_FIELDS: Dict[str, Tuple[str, ...]]

def _raise_core_error(code: str) -> None: ...
def _panic_in_future() -> Awaitable[None]: ...
def _call_from_runtime(callable: Callable[[], object]) -> None: ...
def _close() -> None: ...

@final
class Anchor:
    @staticmethod
    def local(path: str) -> Awaitable[Anchor]: ...
    @staticmethod
    def aws(
        bucket: str,
        region: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        profile: Optional[str] = None,
        execution_role_arn: Optional[str] = None,
        table_prefix: str = "anchor",
        max_attempts: int = 5,
        create_tables: bool = True,
        edge_router: bool = True,
    ) -> Awaitable[Anchor]: ...
    def create_project(
        self,
        name: str,
        build_dir: Optional[str] = None,
        function_settings: Optional[Mapping[str, object]] = None,
    ) -> Awaitable[str]: ...
    def project(self, name: str) -> Awaitable[str]: ...
    def deploy(
        self,
        project: str,
        build_dir: str,
        promote: bool = True,
        on_progress: Optional[Callable[[str], None]] = None,
        function_settings: Optional[Mapping[str, object]] = None,
    ) -> Awaitable[str]: ...
    def plan(self, project: str, build_dir: str) -> Awaitable[str]: ...
    def promote(self, project: str, deployment_id: str) -> Awaitable[str]: ...
    def rollback(
        self,
        project: str,
        to_deployment: Optional[str] = None,
        to_version: Optional[int] = None,
        reason: str = "rollback",
        invalidate: bool = True,
    ) -> Awaitable[str]: ...
    def active_deployment(self, project: str) -> Awaitable[Optional[str]]: ...
    def deployment(self, project: str, deployment_id: str) -> Awaitable[str]: ...
    def history(self, project: str, limit: int = 20, cursor: Optional[str] = None) -> Awaitable[str]: ...
    def rollback_history(
        self, project: str, limit: int = 20, cursor: Optional[str] = None
    ) -> Awaitable[str]: ...
    def recover(self, project: str) -> Awaitable[str]: ...
    def domain_add(self, project: str, name: str) -> Awaitable[str]: ...
    def domain_refresh(self, project: str, name: str) -> Awaitable[str]: ...
    def domain_remove(self, project: str, name: str) -> Awaitable[None]: ...
    def domain_list(self, project: str) -> Awaitable[str]: ...
    def validate_local_certificate(self, certificate_id: str) -> Awaitable[None]: ...
    def serve(
        self,
        project: str,
        host: Optional[str] = None,
        port: int = 0,
        node: Optional[str] = None,
        workers_per_function: Optional[int] = None,
        request_timeout_seconds: Optional[float] = None,
    ) -> Awaitable[LocalEdge]: ...

@final
class LocalEdge:
    @property
    def url(self) -> str: ...
    def deployment_url(self, version: int) -> str: ...
    def workers(self) -> str: ...
    def close(self) -> Awaitable[None]: ...
