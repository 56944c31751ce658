#!/usr/bin/env node
// Client adapter: the npm azure-devops-node-api SDK behind the conformance client contract.
//
// Reads the ADO_* environment, performs ADO_OPERATION the way an application using the SDK
// would (WebApi + the area's client), prints the result on stdout and exits 0, or prints the
// SDK's error on stderr and exits 1. Credentials go through the SDK's own handlers:
// getPersonalAccessTokenHandler, getBasicHandler, getBearerHandler and getNtlmHandler (whose
// typed-rest-client implementation speaks NTLMv1 only; see conformance/baselines/node-sdk.toml).
"use strict";

const azdev = require("azure-devops-node-api");

const env = (name, fallback = "") => process.env[name] || fallback;

function handler() {
  const user = env("ADO_USERNAME");
  const password = env("ADO_PASSWORD");
  const domain = env("ADO_DOMAIN");
  switch (env("ADO_AUTH", "none")) {
    case "pat":
      return azdev.getPersonalAccessTokenHandler(env("ADO_PAT"));
    case "bearer":
      return azdev.getBearerHandler(env("ADO_PAT"));
    case "basic":
      return azdev.getBasicHandler(domain ? `${domain}\\${user}` : user, password);
    case "ntlm":
      return azdev.getNtlmHandler(user, password, "", domain);
    case "none":
      return { prepareRequest() {}, canHandleAuthentication: () => false, handleAuthentication: null };
    default:
      throw new Error(`auth '${env("ADO_AUTH")}' is not supported by the Node SDK adapter`);
  }
}

async function run(operation, connection) {
  const project = env("ADO_PROJECT");
  switch (operation) {
    case "connection-data": {
      const data = await connection.connect();
      return `authenticated as ${data.authenticatedUser.providerDisplayName}`;
    }
    case "list-projects":
      return (await (await connection.getCoreApi()).getProjects()).map((p) => p.name).join("\n");
    case "get-project": {
      const p = await (await connection.getCoreApi()).getProject(project);
      if (!p) throw new Error(`project ${project} not found`);
      return `${p.name} ${p.id}`;
    }
    case "list-collections":
      return (await (await connection.getCoreApi()).getProjectCollections()).map((c) => c.name).join("\n");
    case "create-project": {
      const op = await (await connection.getCoreApi()).queueCreateProject({
        name: `${project}-new`,
        capabilities: {
          versioncontrol: { sourceControlType: "Git" },
          processTemplate: { templateTypeId: "6b724908-ef14-45cf-84f8-768b5384da45" },
        },
      });
      return `queued ${op.id}`;
    }
    case "list-repos":
      return (await (await connection.getGitApi()).getRepositories(project || undefined)).map((r) => r.name).join("\n");
    case "get-work-item": {
      const wit = await connection.getWorkItemTrackingApi();
      const item = await wit.getWorkItem(Number(env("ADO_WORK_ITEM", "1")), undefined, undefined, undefined, project || undefined);
      if (!item) throw new Error("work item not found");
      return `${item.id} ${item.fields["System.Title"]}`;
    }
    case "create-work-item": {
      const wit = await connection.getWorkItemTrackingApi();
      const doc = [{ op: "add", path: "/fields/System.Title", value: "Created by the Node SDK adapter" }];
      const item = await wit.createWorkItem(null, doc, project, "Task");
      return `${item.id}`;
    }
    case "list-pools": {
      // What the pipelines agent does when configured: connectionData, then the pools.
      await connection.connect();
      const pools = await (await connection.getTaskAgentApi()).getAgentPools();
      return pools.map((p) => `${p.id} ${p.name}`).join("\n");
    }
    case "list-build-definitions":
      return (await (await connection.getBuildApi()).getDefinitions(project)).map((d) => `${d.id} ${d.name}`).join("\n");
    case "queue-build": {
      const build = await connection.getBuildApi();
      const [definition] = await build.getDefinitions(project);
      if (!definition) throw new Error(`project ${project} has no build definition`);
      const queued = await build.queueBuild({ definition: { id: definition.id } }, project);
      return `queued build ${queued.id} of ${definition.name}`;
    }
    default:
      throw new Error(`operation '${operation}' is not implemented`);
  }
}

async function main() {
  const url = env("ADO_URL").replace(/\/+$/, "");
  if (!url) throw new Error("ADO_URL is not set");
  const connection = new azdev.WebApi(url, handler());
  console.log(await run(env("ADO_OPERATION", "list-projects"), connection));
}

main().then(
  () => process.exit(0),
  (err) => {
    const status = err && err.statusCode ? ` (HTTP ${err.statusCode})` : "";
    console.error(`node-sdk: ${err && err.message ? err.message : err}${status}`);
    process.exit(1);
  },
);
