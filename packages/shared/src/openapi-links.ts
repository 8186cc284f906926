/**
 * OpenAPI links (OAS 3.1 section 4.8.20): how one response feeds the next request. Schemathesis's stateful phase
 * follows them to chain real calls (create, then read, update with the returned ETag, delete) instead of guessing
 * ids. A link that names a missing operation, parameter or header only fails at test time, far from its cause, so
 * the document refuses to build with one (`linkProblems`).
 */

/** A parameter of the target operation as a link names it: `path.id`, `query.cursor`, `header.if-match`. */
export type LinkParameter = `${"path" | "query" | "header"}.${string}`;

/**
 * A link from a response to the operation `operationId`. Values are runtime expressions: `$response.body#/id`,
 * `$response.header.ETag`, `$request.path.id`, `$request.body#/email`, or text with one embedded in braces.
 */
export interface Link {
  readonly operationId: string;
  readonly description?: string;
  readonly parameters?: Readonly<Partial<Record<LinkParameter, string>>>;
  /** The target's JSON body, field by field. */
  readonly requestBody?: Readonly<Record<string, string>>;
}

interface SchemaNode {
  readonly $ref?: string;
  readonly properties?: Record<string, SchemaNode>;
}

interface ParameterNode {
  readonly in: string;
  readonly name: string;
}

type Content = Record<string, { readonly schema?: SchemaNode } | undefined>;

interface ResponseNode {
  readonly headers?: Record<string, unknown>;
  readonly content?: Content;
  readonly links?: Record<string, Link>;
}

interface OperationNode {
  readonly operationId?: string;
  readonly parameters?: readonly ParameterNode[];
  readonly requestBody?: { readonly content?: Content };
  readonly responses?: Record<string, ResponseNode>;
}

/** The parts of a generated document that links are checked against. */
export interface LinkedDocument {
  readonly paths?: Record<string, Record<string, OperationNode | undefined> | undefined>;
  readonly components?: { readonly schemas?: Record<string, SchemaNode> };
}

/** `$request.path.id`, `$response.header.ETag`, `$request.body#/email`, `$response.body#/id`, `$response.body`. */
const EXPRESSION = /\$(request|response)\.(path|query|header|body)(?:\.([A-Za-z0-9_-]+)|#(\/[^}\s]*))?/g;

function sameName(location: string, a: string, b: string): boolean {
  // Header names are case-insensitive (RFC 9110 section 5.1); path and query names are not.
  return location === "header" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function hasParameter(operation: OperationNode, location: string, name: string): boolean {
  return (operation.parameters ?? []).some((p) => p.in === location && sameName(location, p.name, name));
}

/** Whether a JSON pointer can name a value of `schema`: follows `$ref` and `properties`; anything else passes. */
function pointerResolves(doc: LinkedDocument, schema: SchemaNode | undefined, pointer: string): boolean {
  let node = schema;
  for (const token of pointer.split("/").slice(1)) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    for (let hops = 0; node?.$ref !== undefined && hops < 10; hops++) {
      node = doc.components?.schemas?.[node.$ref.replace("#/components/schemas/", "")];
    }
    if (node?.properties === undefined) return node !== undefined;
    node = node.properties[key];
    if (node === undefined) return false;
  }
  return true;
}

function jsonSchema(content: Content | undefined): SchemaNode | undefined {
  const json = Object.entries(content ?? {}).find(([type]) => type.includes("json"));
  return json?.[1]?.schema;
}

interface LinkSource {
  readonly operation: OperationNode;
  readonly response: ResponseNode;
}

/** What is wrong with one runtime expression, evaluated against the exchange that `source` describes. */
function expressionProblems(doc: LinkedDocument, source: LinkSource, value: string): string[] {
  const problems: string[] = [];
  for (const [expression, side, location = "", name, pointer] of value.matchAll(EXPRESSION)) {
    if (location === "body") {
      const content = side === "response" ? source.response.content : source.operation.requestBody?.content;
      if (pointer !== undefined && !pointerResolves(doc, jsonSchema(content), pointer))
        problems.push(`${expression} is not in the ${side} body`);
      continue;
    }
    const known =
      name !== undefined &&
      (side === "response"
        ? location === "header" &&
          Object.keys(source.response.headers ?? {}).some((header) => sameName("header", header, name))
        : hasParameter(source.operation, location, name));
    if (!known) problems.push(`${expression} names nothing the ${side} documents`);
  }
  return problems;
}

function targetProblems(doc: LinkedDocument, target: OperationNode, link: Link): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(link.parameters ?? {})) {
    const [location = "", ...rest] = key.split(".");
    if (!hasParameter(target, location, rest.join(".")))
      problems.push(`${link.operationId} has no ${location} parameter ${rest.join(".")}`);
  }
  if (link.requestBody !== undefined) {
    const schema = jsonSchema(target.requestBody?.content);
    if (schema === undefined) problems.push(`${link.operationId} takes no JSON body`);
    for (const field of Object.keys(link.requestBody)) {
      if (schema !== undefined && !pointerResolves(doc, schema, `/${field}`))
        problems.push(`${link.operationId}'s body has no field ${field}`);
    }
  }
  return problems;
}

/** Every link in `doc` whose target operation, parameters, headers or body fields do not exist, as messages. */
export function linkProblems(doc: LinkedDocument): string[] {
  const operations = new Map<string, OperationNode>();
  const entries = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item ?? {}).flatMap(([method, operation]) =>
      operation === undefined ? [] : [{ label: `${method.toUpperCase()} ${path}`, operation }],
    ),
  );
  for (const { operation } of entries)
    if (operation.operationId !== undefined) operations.set(operation.operationId, operation);

  const problems: string[] = [];
  for (const { label, operation } of entries) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const [name, link] of Object.entries(response.links ?? {})) {
        const where = `${label} ${status} link ${name}`;
        const target = operations.get(link.operationId);
        const found = [
          ...(target ? targetProblems(doc, target, link) : [`no operation has the id ${link.operationId}`]),
          ...[...Object.values(link.parameters ?? {}), ...Object.values(link.requestBody ?? {})].flatMap(
            (value) => expressionProblems(doc, { operation, response }, value ?? ""),
          ),
        ];
        problems.push(...found.map((problem) => `${where}: ${problem}`));
      }
    }
  }
  return problems;
}
