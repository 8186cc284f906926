/**
 * What the engine receives for each resource registration, dependencies included. Pulumi's mocks hand `newResource`
 * the inputs only; the dependency list (explicit `dependsOn` plus every resource an input Output came from) is on
 * the RegisterResource request the SDK sends, which is what the engine orders creation by. This records that
 * request at the mock monitor, so a test reads the same list the engine would act on.
 */
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks.js";

/** One RegisterResource request as the engine would receive it. */
export interface EngineRequest {
  type: string;
  name: string;
  /** Names (last URN segment) of every resource this one must wait for. */
  dependencies: string[];
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
}

const requests: EngineRequest[] = [];
let installed = false;

/** Starts recording every RegisterResource request of every later mocked run; returns the live list. */
export function recordEngineRequests(): EngineRequest[] {
  if (!installed) {
    installed = true;
    const proto = MockMonitor.prototype as unknown as {
      registerResource: (this: unknown, req: RegisterRequest, callback: unknown) => Promise<void>;
    };
    const original = proto.registerResource;
    proto.registerResource = function (this: unknown, req, callback) {
      requests.push({
        type: req.getType(),
        name: req.getName(),
        dependencies: req.getDependenciesList().map((urn) => urn.slice(urn.lastIndexOf("::") + 2)),
      });
      return original.call(this, req, callback);
    };
  }
  return requests;
}
