/**
 * Bootstrap entry point, run once by a person with owner rights (see README.md). Creates what CI needs to deploy
 * the infra/ stacks and prints the GitHub repository variables to set.
 */
import { CiFoundation, ghCommands } from "./ci-foundation.js";
import { loadConfig } from "./config.js";

const config = loadConfig();
const foundation = new CiFoundation("ci", config);

export const repositoryVariables = foundation.repositoryVariables;
export const setRepositoryVariables = foundation.repositoryVariables.apply((vars) =>
  ghCommands(config.githubRepository, vars),
);
