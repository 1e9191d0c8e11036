// The fleet scripts' load balancer, with no sticky routing: request i goes to target i % 2 unless one is pinned, and a
// refused connection goes to the other target, as a real balancer's health check would have it. It answers a client's
// GET (its stream of server messages) itself, with 405 (no stream offered), which the TypeScript SDK's client takes in
// its stride: an open stream keeps its session active, so no instance would ever end it. Every request served is noted
// in `served`: { instance, method, rpc, status }.
export class RoundRobin {
  constructor(targets) {
    this.targets = targets;
    this.next = 0;
    this.pinned = null;
    this.served = [];
    this.fetch = this.fetch.bind(this);
  }

  async fetch(url, init) {
    if ((init?.method ?? "GET") === "GET") {
      return new Response(null, { status: 405, headers: { allow: "POST, DELETE" } });
    }

    const first = this.pinned ?? this.next++ % 2;
    for (const target of [first, 1 - first]) {
      const to = new URL(url);
      to.host = this.targets[target].host;
      try {
        const response = await fetch(to, init);
        const body = typeof init?.body === "string" ? init.body : "";
        this.served.push({ instance: target, method: init?.method ?? "GET", rpc: /"method":"([^"]+)"/.exec(body)?.[1] ?? null, status: response.status });
        return response;
      } catch (error) {
        if (target !== first) throw error;
      }
    }
  }
}
