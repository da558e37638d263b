// Loads one GET resource for a page and lets the page reload it after a change.
import { useCallback, useEffect, useState } from "react";
import { api } from "./api.ts";

export type Resource<T> =
  | { status: "loading"; data: null; error: null }
  | { status: "ready"; data: T; error: null }
  | { status: "failed"; data: null; error: unknown };

export function useResource<T>(path: string): [Resource<T>, () => Promise<void>] {
  const [resource, setResource] = useState<Resource<T>>({ status: "loading", data: null, error: null });

  const load = useCallback(async () => {
    try {
      const data = await api.get<T>(path);
      setResource({ status: "ready", data, error: null });
    } catch (error) {
      setResource({ status: "failed", data: null, error });
    }
  }, [path]);

  useEffect(() => {
    void load();
  }, [load]);

  return [resource, load];
}
