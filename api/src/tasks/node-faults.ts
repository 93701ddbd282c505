import { randomUUID } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";

/** What a node's replica did that its provider is not paid for. */
export interface NodeFault {
  nodeId: string;
  taskId: string;
  kind: "invalid_output" | "wrong_result";
  detail: string;
}

/** Records faults against nodes (the node_faults table); read by node, newest first. */
export class NodeFaults {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async record(fault: NodeFault): Promise<void> {
    await this.#orm.em
      .fork()
      .execute("insert into node_faults (id, node_id, task_id, kind, detail) values (?, ?, ?, ?, ?)", [
        randomUUID(),
        fault.nodeId,
        fault.taskId,
        fault.kind,
        fault.detail,
      ]);
  }

  async ofNode(nodeId: string): Promise<NodeFault[]> {
    const rows = await this.#orm.em
      .fork()
      .execute<{ node_id: string; task_id: string; kind: NodeFault["kind"]; detail: string }[]>(
        "select node_id, task_id, kind, detail from node_faults where node_id = ? order by created_at desc",
        [nodeId],
      );
    return rows.map((r) => ({ nodeId: r.node_id, taskId: r.task_id, kind: r.kind, detail: r.detail }));
  }
}
