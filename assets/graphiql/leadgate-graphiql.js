// Starts GraphiQL with the settings leadgate put in the page (src/http/graphiql.rs):
// the x-api-key header, and in demo mode the example operations in the first tab.
(function () {
  'use strict';
  const settings = JSON.parse(document.getElementById('leadgate-settings').textContent);
  const headers = JSON.stringify({ 'x-api-key': settings.apiKey }, null, 2);

  // GraphiQL keeps its tabs (with their headers) in localStorage. A demo start mints a
  // fresh key and revokes the old ones, so each demo start gets its own namespace (and
  // the namespaces of earlier starts are removed); other servers use GraphiQL's own keys.
  function namespacedStorage(prefix) {
    const ownKeys = () => Object.keys(localStorage).filter((key) => key.startsWith(prefix));
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith('leadgate-demo-') && !key.startsWith(prefix)) {
        localStorage.removeItem(key);
      }
    }
    return {
      getItem: (key) => localStorage.getItem(prefix + key),
      setItem: (key, value) => localStorage.setItem(prefix + key, value),
      removeItem: (key) => localStorage.removeItem(prefix + key),
      clear: () => ownKeys().forEach((key) => localStorage.removeItem(key)),
      get length() {
        return ownKeys().length;
      },
    };
  }

  // Subscriptions go over a WebSocket to the same path (graphql-ws); GraphiQL sends the
  // Headers tab as the connection_init payload, so its x-api-key authenticates them too.
  const subscriptionUrl =
    (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql';
  const props = {
    fetcher: GraphiQL.createFetcher({ url: '/graphql', subscriptionUrl }),
    defaultHeaders: headers,
    shouldPersistHeaders: true,
  };
  if (settings.storageNamespace) {
    props.storage = namespacedStorage(settings.storageNamespace);
  }
  if (settings.query !== null) {
    props.defaultTabs = [{ query: settings.query, variables: settings.variables, headers }];
    // Headers open by default, so the prefilled key is in sight.
    props.defaultEditorToolsVisibility = 'headers';
  }
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, props));
})();
