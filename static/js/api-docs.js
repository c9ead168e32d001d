// Swagger UI for /api/v1/docs. No inline script (the Content-Security-Policy forbids it): the
// settings come from the data-settings attribute that portal.api.ScriptFreeSwagger renders.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  const config = JSON.parse(node.dataset.settings);
  config.domNode = node;
  config.validatorUrl = null;
  config.presets = [SwaggerUIBundle.presets.apis];
  SwaggerUIBundle(config);
});
