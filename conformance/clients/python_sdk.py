#!/usr/bin/env python3
"""Client adapter: the PyPI `azure-devops` SDK behind the conformance client contract.

Reads the ADO_* environment (docs/CLIENT-CONTRACT.md), performs ADO_OPERATION
the way an application using the SDK would, prints the result on stdout and exits 0, or prints
the SDK's exception on stderr and exits 1. PATs go through BasicAuthentication('', pat), as the
SDK's README shows; NTLM goes through requests-ntlm, since msrest has no NTLM credential class.
"""

import os
import sys
import tempfile

# The SDK reads its disk cache directory at import time: give every run its own, so that one
# scenario's cached OPTIONS answer cannot hide another scenario's 401 (conformance/README.md,
# "How the shipped clients behave").
if not os.environ.get("AZURE_DEVOPS_CACHE_DIR"):
    os.environ["AZURE_DEVOPS_CACHE_DIR"] = tempfile.mkdtemp(prefix="ado-sdk-cache-")

from azure.devops.connection import Connection  # noqa: E402
from msrest.authentication import Authentication, BasicAuthentication, BasicTokenAuthentication  # noqa: E402


class NtlmAuthentication(Authentication):
    """NTLM (or Negotiate carrying NTLM) through requests-ntlm."""

    def __init__(self, username, password):
        super().__init__()
        self.username = username
        self.password = password

    def signed_session(self, session=None):
        from requests_ntlm import HttpNtlmAuth

        session = super().signed_session(session)
        session.auth = HttpNtlmAuth(self.username, self.password)
        return session


def env(name, default=None):
    value = os.environ.get(name)
    return value if value else default


def credentials():
    auth = env("ADO_AUTH", "none")
    user = env("ADO_USERNAME", "")
    domain = env("ADO_DOMAIN", "")
    password = env("ADO_PASSWORD", "")
    if auth == "pat":
        return BasicAuthentication("", env("ADO_PAT", ""))
    if auth == "basic":
        account = f"{domain}\\{user}" if domain else user
        return BasicAuthentication(account, password)
    if auth == "bearer":
        return BasicTokenAuthentication({"access_token": env("ADO_PAT", "")})
    if auth == "job-token":
        # What a pipeline task does with System.AccessToken.
        return BasicTokenAuthentication({"access_token": env("ADO_ACCESS_TOKEN", "")})
    if auth in ("ntlm", "negotiate"):
        account = f"{domain}\\{user}" if domain else user
        return NtlmAuthentication(account, password)
    return Authentication()


def run(operation, connection):
    clients = connection.clients_v7_1
    project = env("ADO_PROJECT", "")
    if operation == "connection-data":
        data = clients.get_location_client().get_connection_data()
        return f"authenticated as {data.authenticated_user.provider_display_name}"
    if operation == "list-projects":
        return "\n".join(p.name for p in clients.get_core_client().get_projects())
    if operation == "get-project":
        p = clients.get_core_client().get_project(project)
        return f"{p.name} {p.id}"
    if operation == "list-repos":
        return "\n".join(r.name for r in clients.get_git_client().get_repositories(project or None))
    if operation == "get-work-item":
        item = clients.get_work_item_tracking_client().get_work_item(int(env("ADO_WORK_ITEM", "1")), project=project or None)
        return f"{item.id} {item.fields.get('System.Title')}"
    if operation == "create-work-item":
        from azure.devops.v7_1.work_item_tracking.models import JsonPatchOperation

        document = [JsonPatchOperation(op="add", path="/fields/System.Title", value="Created by the conformance run")]
        item = clients.get_work_item_tracking_client().create_work_item(document, project, "$Task")
        return f"created {item.id}"
    if operation == "list-collections":
        return "\n".join(c.name for c in clients.get_core_client().get_project_collections())
    if operation == "create-project":
        from azure.devops.v7_1.core.models import TeamProject

        project = TeamProject(name=f"{project or 'Conformance'}-new", capabilities={
            "versioncontrol": {"sourceControlType": "Git"},
            "processTemplate": {"templateTypeId": "6b724908-ef14-45cf-84f8-768b5384da45"},
        })
        operation_ref = clients.get_core_client().queue_create_project(project)
        return f"queued {operation_ref.id}"
    if operation == "list-pools":
        # What the pipelines agent does when it is configured: connectionData, then the pools.
        clients.get_location_client().get_connection_data()
        return "\n".join(f"{p.id} {p.name}" for p in clients.get_task_agent_client().get_agent_pools())
    if operation == "list-build-definitions":
        return "\n".join(f"{d.id} {d.name}" for d in clients.get_build_client().get_definitions(project))
    if operation == "queue-build":
        from azure.devops.v7_1.build.models import Build, DefinitionReference

        build_client = clients.get_build_client()
        definitions = build_client.get_definitions(project)
        if not definitions:
            raise RuntimeError(f"project {project} has no build definition")
        queued = build_client.queue_build(Build(definition=DefinitionReference(id=definitions[0].id)), project)
        return f"queued build {queued.id} of {definitions[0].name}"
    raise SystemExit(f"python-sdk: operation {operation!r} is not implemented")


def main():
    url = env("ADO_URL")
    operation = env("ADO_OPERATION", "list-projects")
    if not url:
        print("python-sdk: ADO_URL is not set", file=sys.stderr)
        return 2
    connection = Connection(base_url=url, creds=credentials())
    try:
        print(run(operation, connection))
    except Exception as error:  # noqa: BLE001 - the adapter reports every SDK failure the same way
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
