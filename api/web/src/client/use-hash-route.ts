import { useEffect, useState } from "react";

/**
 * The page's place within a view, from the URL's fragment: "#/tasks/<id>" is a task's page,
 * anything else the view's main page. Back and Forward work, and a link can be shared.
 */
export type HashRoute = { page: "main" } | { page: "task"; taskId: string };

const TASK_ROUTE = /^#\/tasks\/([0-9a-f-]{36})$/i;

function routeOf(hash: string): HashRoute {
  const task = TASK_ROUTE.exec(hash);
  return task?.[1] ? { page: "task", taskId: task[1] } : { page: "main" };
}

export function taskHref(taskId: string): string {
  return `#/tasks/${taskId}`;
}

export function useHashRoute(): HashRoute {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
