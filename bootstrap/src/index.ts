/**
 * Bootstrap entry point, run once by a person with owner rights (see README.md). Creates what CI needs to deploy
 * the infra/cloud and infra/platform stacks and prints the GitHub variables to set.
 */
import * as pulumi from "@pulumi/pulumi";
import { CiFoundation, ghCommands } from "./ci-foundation.js";
import { loadConfig } from "./config.js";

const config = loadConfig();
const foundation = new CiFoundation("ci", config);

export const repositoryVariables = foundation.repositoryVariables;
export const environmentVariables = foundation.environmentVariables;
/** Stack -> `gcpkms://...`: pass it to `pulumi stack init <stack> --secrets-provider`. */
export const secretsProviders = foundation.secretsProviders;
/** Stack -> node and backup service account emails infra/cloud uses. */
export const serviceAccounts = foundation.serviceAccounts;
export const setRepositoryVariables = pulumi
  .all([foundation.repositoryVariables, foundation.environmentVariables])
  .apply(([vars, envs]) => ghCommands(config.githubRepository, vars, envs));
