import type { PropsWithChildren } from "react";
import { useLaunch } from "@tarojs/taro";
import { applyLaunchQuery } from "./lib/launch";
import { H5_LAUNCH_QUERY, IS_H5 } from "./lib/env";
import "./app.css";

// H5: apply the URL's query before the first page renders.
if (IS_H5) applyLaunchQuery(H5_LAUNCH_QUERY);

function App({ children }: PropsWithChildren) {
  useLaunch((opts) => {
    // weapp: the query of the QR code / share link that launched the mini-program.
    if (!IS_H5) applyLaunchQuery((opts?.query ?? {}) as Record<string, string>);
  });
  return children;
}

export default App;
