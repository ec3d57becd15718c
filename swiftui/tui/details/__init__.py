"""Details of an object (headers, an SLO's manifest verified live, a DLO's segments) and of
a container. Opened by browsing and by uploads; imports only widgets."""
